from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Port(db.Model):
    __tablename__ = 'ports'

    id = db.Column(db.String(36), primary_key=True)
