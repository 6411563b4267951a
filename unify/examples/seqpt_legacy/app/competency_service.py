"""Competency service: the competency catalogue and the role/competency matrix."""
try:
    from unified_models import Competency, RoleCluster
except ImportError:  # older deployments without Derik's module
    from models import SECompetency as Competency, SERole as RoleCluster

from models import db


def list_competencies(area=None):
    query = Competency.query
    if area:
        query = query.filter_by(competency_area=area)
    return query.order_by(Competency.id).all()


def create_competency(name, area=None, description=None):
    competency = Competency(competency_name=name, competency_area=area, description=description)
    db.session.add(competency)
    db.session.commit()
    return competency


def assign_competency(role_cluster_id, competency_id, level):
    """Require `level` of a competency for a role cluster (0 removes nothing, just sets 0)."""
    from unified_models import set_role_competency

    role = db.session.get(RoleCluster, role_cluster_id)
    competency = db.session.get(Competency, competency_id)
    if role is None or competency is None:
        return None
    set_role_competency(role.id, competency.id, level)
    db.session.commit()
    return required_levels(role.id)


def required_levels(role_cluster_id):
    """{competency_id: level} required by a role cluster."""
    from unified_models import get_competency_matrix

    return get_competency_matrix(role_cluster_id)
