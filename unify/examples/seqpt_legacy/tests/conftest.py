"""Fixtures: an app on a fresh in-memory SQLite database per test, and HTTP helpers.

The backend root (the folder holding run.py) is put on sys.path, as when the app
runs from there.  Tests talk to the app through its HTTP API only.

SEQPT_TEST_DATABASE_URL names a PostgreSQL database (a restored production copy) to run
the tests against instead: each test gets its own copy of it (CREATE DATABASE ... TEMPLATE),
with its schema and rows, dropped afterwards.
"""
import os
import sys
import uuid
from pathlib import Path

import pytest

BACKEND_ROOT = Path(__file__).resolve().parents[1]
if str(BACKEND_ROOT) not in sys.path:
    sys.path.insert(0, str(BACKEND_ROOT))

from app import create_app  # noqa: E402


@pytest.fixture
def database_uri():
    source = os.environ.get('SEQPT_TEST_DATABASE_URL')
    if not source:
        yield 'sqlite:///:memory:'
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(source)
    copy = f'{url.database}_t{uuid.uuid4().hex[:8]}'
    admin = create_engine(url.set(database='postgres'), isolation_level='AUTOCOMMIT')
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{url.database}"'))
    try:
        yield url.set(database=copy).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def app(database_uri):
    return create_app({'TESTING': True, 'SQLALCHEMY_DATABASE_URI': database_uri})


@pytest.fixture
def client(app):
    return app.test_client()


class Api:
    """Small helpers that create objects through the API and check the status."""

    def __init__(self, client):
        self.client = client

    def post(self, url, payload, status=201):
        response = self.client.post(url, json=payload)
        assert response.status_code == status, response.get_json()
        return response.get_json()

    def get(self, url, status=200):
        response = self.client.get(url)
        assert response.status_code == status, response.get_json()
        return response.get_json()

    def organization(self, name='Acme', key='ACME'):
        return self.post('/api/organizations',
                         {'organization_name': name, 'organization_public_key': key})

    def user(self, username='alice', organization_id=None, password='s3cret-pass'):
        body = self.post('/api/auth/register', {
            'username': username, 'email': f'{username}@example.com',
            'password': password, 'display_name': username.title(),
            'organization_id': organization_id,
        })
        return body['user']

    def mvp_user(self, email='bob@example.com', password='mvp-pass-1'):
        body = self.post('/mvp/register', {
            'email': email, 'password': password, 'first_name': 'Bob', 'last_name': 'Builder',
        })
        return body['user']

    def competency(self, name, area='core'):
        return self.post('/api/competencies', {'competency_name': name, 'competency_area': area})

    def role(self, name='System Engineer'):
        return self.post('/api/roles', {'role_cluster_name': name})


@pytest.fixture
def api(client):
    return Api(client)
