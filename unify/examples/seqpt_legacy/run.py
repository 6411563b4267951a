"""Start the SE-QPT backend: python run.py [--port 5000] [--check]."""
import argparse
import os

from app import create_app
from models import db


def main(argv=None):
    parser = argparse.ArgumentParser(description='SE-QPT backend')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=5000)
    parser.add_argument('--check', action='store_true', help='build the app, list tables, exit')
    args = parser.parse_args(argv)
    config = {}
    if os.environ.get('DATABASE_URL'):
        config['SQLALCHEMY_DATABASE_URI'] = os.environ['DATABASE_URL']
    app = create_app(config)
    if args.check:
        with app.app_context():
            tables = sorted(db.inspect(db.engine).get_table_names())
        print(f'{len(tables)} tables: {", ".join(tables)}')
        return 0
    app.run(host=args.host, port=args.port)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
