"""Competency assessments, learning objectives and MVP maturity assessments."""


def _role_requiring(api, levels):
    role = api.role()
    for competency_id, level in levels.items():
        api.post(f"/api/roles/{role['id']}/competencies",
                 {'competency_id': competency_id, 'level': level}, status=200)
    return role


def test_assessment_is_created_and_read_back(api):
    user = api.user('alice')
    created = api.post('/api/assessments', {'user_id': user['id']})
    assert created['status'] == 'in_progress'
    assert api.get(f"/api/assessments/{created['id']}")['user_id'] == user['id']
    assert [a['id'] for a in api.get(f"/api/users/{user['id']}/assessments")] == [created['id']]


def test_assessment_for_unknown_user_is_404(api):
    api.post('/api/assessments', {'user_id': 999}, status=404)


def test_completing_an_assessment_generates_objectives_for_gaps(api):
    systems = api.competency('Systems Thinking')
    requirements = api.competency('Requirements Definition')
    architecture = api.competency('System Architecting')
    role = _role_requiring(api, {systems['id']: 4, requirements['id']: 6, architecture['id']: 2})
    user = api.user('alice')
    assessment = api.post('/api/assessments', {'user_id': user['id'], 'role_cluster_id': role['id']})

    scores = {systems['id']: 2, requirements['id']: 1, architecture['id']: 3}
    body = api.post(f"/api/assessments/{assessment['id']}/complete", {'scores': scores}, status=200)

    assert body['assessment']['status'] == 'completed'
    objectives = body['learning_objectives']
    assert [(o['competency_id'], o['priority']) for o in objectives] == [
        (requirements['id'], 'high'), (systems['id'], 'medium')]
    assert objectives[0]['text'] == 'Progress in Requirements Definition from aware to leading.'
    stored = api.get(f"/api/assessments/{assessment['id']}")['learning_objectives']
    assert sorted(o['competency_id'] for o in stored) == sorted([systems['id'], requirements['id']])


def test_objectives_default_to_level_four_without_a_role(api):
    competency = api.competency('Communication')
    user = api.user('alice')
    assessment = api.post('/api/assessments', {'user_id': user['id']})
    body = api.post(f"/api/assessments/{assessment['id']}/complete",
                    {'scores': {competency['id']: 3}}, status=200)
    assert [(o['target_level'], o['priority']) for o in body['learning_objectives']] == [(4, 'low')]


def test_completing_twice_replaces_the_objectives(api):
    competency = api.competency('Communication')
    user = api.user('alice')
    assessment = api.post('/api/assessments', {'user_id': user['id']})
    url = f"/api/assessments/{assessment['id']}/complete"
    api.post(url, {'scores': {competency['id']: 0}}, status=200)
    api.post(url, {'scores': {competency['id']: 4}}, status=200)
    assert api.get(f"/api/assessments/{assessment['id']}")['learning_objectives'] == []


def test_prompt_context_summarises_the_objectives(api):
    competency = api.competency('Communication')
    user = api.user('alice')
    assessment = api.post('/api/assessments', {'user_id': user['id']})
    api.post(f"/api/assessments/{assessment['id']}/complete",
             {'scores': {competency['id']: 1}}, status=200)
    context = api.get(f"/api/assessments/{assessment['id']}/prompt-context")['context']
    assert context.splitlines()[1] == '- Progress in Communication from aware to applying. [high]'


def test_mvp_maturity_assessment_updates_the_organization(api):
    org = api.organization()
    user = api.mvp_user()
    created = api.post('/mvp/maturity', {'user_id': user['id'], 'organization_id': org['id'],
                                         'scope_score': 3.0, 'process_score': 4.0})
    assert created['overall_maturity'] == 3.5
    assert api.get(f"/api/organizations/{org['id']}")['maturity_score'] == 3.5
    assert [a['id'] for a in api.get(f"/mvp/users/{user['id']}/maturity")] == [created['id']]


def test_mvp_maturity_for_unknown_organization_is_404(api):
    user = api.mvp_user()
    api.post('/mvp/maturity', {'user_id': user['id'], 'organization_id': 42}, status=404)


def test_mvp_learning_plan_is_stored_per_user(api):
    user = api.mvp_user()
    plan = api.post('/mvp/learning-plans', {'user_id': user['id'], 'objectives': ['a', 'b']})
    assert plan['objectives'] == ['a', 'b']
    assert api.get(f"/mvp/users/{user['id']}/learning-plans") == [plan]
