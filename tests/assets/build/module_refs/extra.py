import base as models_v2


class PortExtra(models_v2.db.Model):
    """Extra attributes of a port, reached through the module alias."""

    __tablename__ = 'port_extras'

    port_id = models_v2.db.Column(
        models_v2.db.String(36), models_v2.db.ForeignKey(models_v2.Port.id), primary_key=True
    )
    port = models_v2.db.relationship(models_v2.Port, backref='extra')
