"""Competency catalogue, role/competency assignment, Derik's survey and admin counts."""


def test_competencies_are_listed_and_filtered_by_area(api):
    api.competency('Systems Thinking', area='core')
    api.competency('Leadership', area='social')
    assert [c['competency_name'] for c in api.get('/api/competencies')] == [
        'Systems Thinking', 'Leadership']
    assert [c['competency_name'] for c in api.get('/api/competencies?area=social')] == ['Leadership']


def test_legacy_competency_shape_goes_through_the_compat_wrapper(api):
    created = api.competency('Systems Thinking', area='core')
    assert api.get('/api/competencies/legacy') == [
        {'id': created['id'], 'name': 'Systems Thinking', 'area': 'core'}]


def test_competency_assignment_to_a_role(api):
    role = api.role('Quality Engineer')
    first = api.competency('Verification')
    second = api.competency('Quality Management')
    url = f"/api/roles/{role['id']}/competencies"
    api.post(url, {'competency_id': first['id'], 'level': 2}, status=200)
    levels = api.post(url, {'competency_id': second['id'], 'level': 4}, status=200)
    assert levels == {str(first['id']): 2, str(second['id']): 4}
    updated = api.post(url, {'competency_id': first['id'], 'level': 6}, status=200)
    assert updated[str(first['id'])] == 6

    body = api.get(url)
    assert body['role'] == 'Quality Engineer'
    assert sorted((c['name'], c['level']) for c in body['competencies']) == [
        ('Quality Management', 4), ('Verification', 6)]


def test_assignment_with_unknown_competency_is_404(api):
    role = api.role()
    api.post(f"/api/roles/{role['id']}/competencies", {'competency_id': 77, 'level': 1},
             status=404)


def test_derik_survey_results_are_recorded(api):
    org = api.organization()
    competency = api.competency('Systems Thinking')
    body = api.post('/api/derik/survey', {'username': 'p1', 'organization_id': org['id'],
                                          'scores': {str(competency['id']): 5}})
    assert [(r['competency_id'], r['score']) for r in body['results']] == [(competency['id'], 5)]
    assert api.get('/api/derik/survey/p1') == body['results']


def test_derik_survey_rejects_unknown_competencies(api):
    api.post('/api/derik/survey', {'username': 'p1', 'scores': {'12': 3}}, status=400)


def test_admin_stats_count_rows_of_all_schemas(api):
    # counted from what the database already holds (empty, or a production copy)
    before = api.get('/admin/stats')
    org = api.organization()
    api.user('alice', organization_id=org['id'])
    api.mvp_user()
    api.role('Management')
    competency = api.competency('Systems Thinking')
    api.post('/api/derik/survey', {'username': 'p1', 'scores': {str(competency['id']): 2}})
    stats = api.get('/admin/stats')
    added = {k: stats[k] - before[k] for k in stats}
    assert {k: added[k] for k in ('organizations', 'role_clusters', 'competencies',
                                  'survey_results')} == {
        'organizations': 1, 'role_clusters': 1, 'competencies': 1, 'survey_results': 1}
    # 1 and 1 on the legacy schema; once MVPUser is merged into User both count one table
    assert added['users'] >= 1 and added['mvp_users'] >= 1
    assert added['users'] + added['mvp_users'] in (2, 4)
    assert api.get('/admin/roles/Management')['role_cluster_name'] == 'Management'
    api.get('/admin/roles/Nobody', status=404)


def test_competencies_reached_through_the_seqpt_alias(api):
    first = api.competency('Systems Thinking')
    second = api.competency('Requirements Definition')
    catalogue = api.get('/api/competencies/catalogue')['competencies']
    assert catalogue[-2:] == ['Systems Thinking', 'Requirements Definition']
    listed = api.get('/seqpt/competencies')
    assert listed[-2:] == [{'id': first['id'], 'name': 'Systems Thinking'},
                           {'id': second['id'], 'name': 'Requirements Definition'}]
