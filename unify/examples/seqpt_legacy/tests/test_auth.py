"""Registration and login: SE-QPT users and MVP users."""


def test_user_registers_and_logs_in(api, client):
    org = api.organization()
    user = api.user('alice', organization_id=org['id'])
    assert user['email'] == 'alice@example.com'
    assert user['organization_id'] == org['id']
    assert 'password' not in user and 'password_hash' not in user

    response = client.post('/api/auth/login', json={'username': 'alice', 'password': 's3cret-pass'})
    assert response.status_code == 200
    assert response.get_json()['user']['id'] == user['id']
    assert response.get_json()['is_admin'] is False


def test_user_login_rejects_a_wrong_password(api, client):
    api.user('alice')
    response = client.post('/api/auth/login', json={'username': 'alice', 'password': 'nope'})
    assert response.status_code == 401


def test_user_registration_rejects_duplicates_and_missing_fields(api, client):
    api.user('alice')
    again = client.post('/api/auth/register',
                        json={'username': 'alice', 'email': 'x@example.com', 'password': 'p'})
    assert again.status_code == 409
    missing = client.post('/api/auth/register', json={'username': 'carol'})
    assert missing.status_code == 400


def test_admin_role_is_reported_at_login(api, client):
    api.post('/api/auth/register', {'username': 'root', 'email': 'root@example.com',
                                    'password': 'pw-root-1', 'role': 'admin'})
    response = client.post('/api/auth/login', json={'username': 'root', 'password': 'pw-root-1'})
    assert response.get_json()['is_admin'] is True


def test_organization_lists_its_users(api):
    org = api.organization()
    api.user('alice', organization_id=org['id'])
    api.user('dave', organization_id=org['id'])
    assert sorted(api.get(f"/api/organizations/{org['id']}")['users']) == ['alice', 'dave']


def test_mvp_user_registers_and_logs_in(api, client):
    user = api.mvp_user()
    assert user['email'] == 'bob@example.com'
    assert 'password' not in user and 'password_hash' not in user

    response = client.post('/mvp/login', json={'email': 'bob@example.com', 'password': 'mvp-pass-1'})
    assert response.status_code == 200
    assert response.get_json()['full_name'] == 'Bob Builder'
    assert response.get_json()['user']['id'] == user['id']


def test_mvp_login_rejects_wrong_password_and_unknown_email(api, client):
    api.mvp_user()
    wrong = client.post('/mvp/login', json={'email': 'bob@example.com', 'password': 'x'})
    unknown = client.post('/mvp/login', json={'email': 'eve@example.com', 'password': 'x'})
    assert (wrong.status_code, unknown.status_code) == (401, 401)


def test_mvp_registration_rejects_a_duplicate_email(api, client):
    api.mvp_user()
    again = client.post('/mvp/register', json={'email': 'bob@example.com', 'password': 'other'})
    assert again.status_code == 409


def test_portal_account_registers_and_logs_in(api, client):
    org = api.organization()
    account = api.post('/mvp/portal/register', {
        'email': 'pat@portal.example', 'password': 'portal-pass-1', 'organization_id': org['id'],
    })
    assert (account['email'], account['organization_id']) == ('pat@portal.example', org['id'])

    response = client.post('/mvp/portal/login',
                           json={'email': 'pat@portal.example', 'password': 'portal-pass-1'})
    assert response.status_code == 200
    assert response.get_json()['id'] == account['id']
    wrong = client.post('/mvp/portal/login',
                        json={'email': 'pat@portal.example', 'password': 'nope'})
    assert wrong.status_code == 401


def test_portal_registration_rejects_a_duplicate_and_missing_fields(api, client):
    api.post('/mvp/portal/register', {'email': 'pat@portal.example', 'password': 'portal-pass-1'})
    again = client.post('/mvp/portal/register',
                        json={'email': 'pat@portal.example', 'password': 'other'})
    missing = client.post('/mvp/portal/register', json={'email': 'sam@portal.example'})
    assert (again.status_code, missing.status_code) == (409, 400)
