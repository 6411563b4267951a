"""Phase questionnaires and the responses of SE-QPT users."""

QUESTIONS = [{'id': 'q1', 'text': 'How are SE roles defined?'},
             {'id': 'q2', 'text': 'How are requirements managed?'}]


def _questionnaire(api, name='phase1_maturity', phase=1):
    return api.post('/seqpt/questionnaires',
                    {'name': name, 'title': name.title(), 'phase': phase, 'questions': QUESTIONS})


def test_questionnaires_are_listed_per_phase(api):
    first = _questionnaire(api, 'phase1_maturity', 1)
    _questionnaire(api, 'phase2_competency', 2)
    assert [q['name'] for q in api.get('/seqpt/phases/1/questionnaires')] == [first['name']]


def test_a_response_is_stored_and_listed(api):
    user = api.user('alice')
    questionnaire = _questionnaire(api)
    url = f"/api/questionnaires/{questionnaire['id']}/responses"
    response = api.post(url, {'user_id': user['id'], 'responses': {'q1': 3, 'q2': 'defined'}})
    assert response['phase'] == 1
    assert response['responses'] == {'q1': 3, 'q2': 'defined'}
    assert api.get(url) == [response]


def test_a_response_to_an_unknown_question_is_rejected(api):
    user = api.user('alice')
    questionnaire = _questionnaire(api)
    body = api.post(f"/api/questionnaires/{questionnaire['id']}/responses",
                    {'user_id': user['id'], 'responses': {'q9': 1}}, status=400)
    assert body['error'] == 'unknown questions: q9'


def test_a_response_of_an_unknown_user_is_404(api):
    questionnaire = _questionnaire(api)
    api.post(f"/api/questionnaires/{questionnaire['id']}/responses",
             {'user_id': 404, 'responses': {}}, status=404)


def test_user_summary_counts_assessments_and_plans(api):
    user = api.user('alice')
    api.post('/api/assessments', {'user_id': user['id']})
    api.post('/api/modules', {'module_code': 'SE-101', 'name': 'Basics'})
    api.post('/api/qualification-plans', {'user_id': user['id'], 'module_codes': ['SE-101']})
    summary = api.get('/seqpt/users/summary?email=alice@example.com')
    assert (summary['assessments'], summary['qualification_plans']) == (1, 1)
    api.get('/seqpt/users/summary?email=nobody@example.com', status=404)
