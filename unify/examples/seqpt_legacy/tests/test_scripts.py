"""The setup and maintenance scripts, run as a user runs them (one after another)."""
import os
import subprocess
import sys
from pathlib import Path

BACKEND_ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ['setup_database.py', 'init_questionnaire_data.py', 'init_module_library.py',
           'add_14_roles.py', 'update_real_questions.py', 'update_complete_questionnaires.py',
           'show_all_data.py']
RUNNER = (
    'import runpy, sys\n'
    'for script in sys.argv[1:]:\n'
    '    print("==", script, flush=True)\n'
    '    runpy.run_path(script, run_name="__main__")\n'
)


def _run(tmp_path, *scripts):
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'seqpt.db'}",
               PYTHONDONTWRITEBYTECODE='1')
    done = subprocess.run([sys.executable, '-c', RUNNER, *scripts], cwd=BACKEND_ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_scripts_set_up_and_show_the_data(tmp_path):
    out = _run(tmp_path, *SCRIPTS)
    assert 'schema ready; demo organization id 1' in out
    assert '3 questionnaires created' in out
    assert '4 modules created' in out
    assert '14 role clusters added' in out
    assert 'updated' in out
    assert 'closed: none' in out
    counts = {}
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[2].isdigit():
            counts[fields[0], fields[1]] = int(fields[2])
    assert counts[('mvp_models', 'MVPUser')] == 1
    assert counts[('unified_models', 'RoleCluster')] == 14
    assert counts[('models', 'Questionnaire')] == 3
    assert counts[('mvp_models', 'Organization')] == 1


def test_scripts_are_idempotent(tmp_path):
    _run(tmp_path, *SCRIPTS)
    out = _run(tmp_path, 'init_questionnaire_data.py', 'init_module_library.py', 'add_14_roles.py')
    assert '0 questionnaires created' in out
    assert '0 modules created' in out
    assert '0 role clusters added' in out


def test_run_check_builds_the_app_and_lists_the_tables(tmp_path):
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'seqpt.db'}",
               PYTHONDONTWRITEBYTECODE='1')
    done = subprocess.run([sys.executable, 'run.py', '--check'], cwd=BACKEND_ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    count, _, names = done.stdout.strip().partition(' tables: ')
    tables = names.split(', ')
    assert int(count) == len(tables)
    assert {'users', 'organization', 'competency', 'role_cluster'} <= set(tables)
