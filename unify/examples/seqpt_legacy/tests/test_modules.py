"""Learning module library and qualification plans."""


def test_modules_are_listed_and_filtered_by_competency(api):
    competency = api.competency('Requirements Definition')
    api.post('/api/modules', {'module_code': 'SE-201', 'name': 'Requirements',
                              'competency_id': competency['id'], 'level': 2})
    api.post('/api/modules', {'module_code': 'SE-101', 'name': 'Basics'})
    assert [m['module_code'] for m in api.get('/api/modules')] == ['SE-101', 'SE-201']
    filtered = api.get(f"/api/modules?competency_id={competency['id']}")
    assert [m['module_code'] for m in filtered] == ['SE-201']


def test_qualification_plan_links_modules(api):
    user = api.user('alice')
    api.post('/api/modules', {'module_code': 'SE-101', 'name': 'Basics'})
    api.post('/api/modules', {'module_code': 'SE-301', 'name': 'Architecture'})
    plan = api.post('/api/qualification-plans', {'user_id': user['id'], 'name': 'Become SE',
                                                 'module_codes': ['SE-301', 'SE-101']})
    assert sorted(plan['modules']) == ['SE-101', 'SE-301']
    assert plan['status'] == 'draft'


def test_qualification_plan_rejects_unknown_modules(api):
    user = api.user('alice')
    api.post('/api/qualification-plans', {'user_id': user['id'], 'module_codes': ['NOPE']},
             status=400)
