"""The application factory: one Quart-trio app per node, no module-level app.

:func:`create_app` wires the blueprints, the error shape and the request limits onto a
fresh :class:`quart_trio.QuartTrio` that holds the node's :class:`FacadeContext`.
"""

from __future__ import annotations

from quart_trio import QuartTrio

from http_facade.context import EXTENSION_KEY, FacadeContext
from http_facade.errors import install_error_handlers
from http_facade.middleware.early_answers import install_early_answers
from http_facade.middleware.json_bodies import install_json_bodies
from http_facade.middleware.rate_limits import install_rate_limits
from http_facade.middleware.request_ids import install_request_ids
from http_facade.middleware.request_metrics import install_request_metrics
from http_facade.middleware.security import install_security
from http_facade.openapi import install_openapi
from http_facade.routes import auth
from http_facade.routes.admin import bots as admin_bots
from http_facade.routes.admin import content as admin_content
from http_facade.routes.admin import routes as admin
from http_facade.routes.admin import trash as admin_trash
from http_facade.routes.calls import routes as calls
from http_facade.routes.content_settings import routes as content_settings
from http_facade.routes.development import pages as development_pages
from http_facade.routes.files import routes as files
from http_facade.routes.files.blobs import install_blob_store
from http_facade.routes.friends import routes as friends
from http_facade.routes.gifs import routes as gifs
from http_facade.routes.messages import routes as direct_messages
from http_facade.routes.messages import writes as direct_message_writes
from http_facade.routes.notifications import routes as notifications
from http_facade.routes.ops import actions as ops_actions
from http_facade.routes.ops import dashboard as ops_dashboard
from http_facade.routes.ops import routes as ops
from http_facade.routes.pictures import routes as pictures
from http_facade.routes.posts import comments
from http_facade.routes.posts import routes as posts
from http_facade.routes.push import routes as push
from http_facade.routes.reports import routes as reports
from http_facade.routes.rooms import message_writes as room_message_writes
from http_facade.routes.rooms import moderation as room_moderation
from http_facade.routes.rooms import routes as rooms
from http_facade.routes.rooms import topic_rooms, unread
from http_facade.routes.search import routes as search
from http_facade.routes.tickets import routes as tickets
from http_facade.routes.tokens import bots as owned_bots
from http_facade.routes.tokens import tokens as api_tokens
from http_facade.routes.topics import members as topic_members
from http_facade.routes.topics import routes as topics
from http_facade.routes.users import routes as users
from http_facade.routes.webapp import routes as webapp
from http_facade.routes.webhooks import routes as webhooks
from topicsflow.settings import Profile

API_VERSION = "1.0.0"


def create_app(context: FacadeContext) -> QuartTrio:
    """Build the facade for one node; ``context`` carries its settings and services."""
    app = QuartTrio("topicsflow")
    # Uploads stream up to their own cap; JSON bodies are held to max_request_bytes by
    # the security check (declared lengths) and install_json_bodies (chunked ones).
    app.config["MAX_CONTENT_LENGTH"] = max(
        context.settings.max_request_bytes, context.settings.max_upload_bytes
    )
    app.config["JSON_SORT_KEYS"] = False
    app.extensions[EXTENSION_KEY] = context
    install_error_handlers(app)
    install_security(app, context.settings)
    install_rate_limits(app)
    install_json_bodies(app, context.settings.max_request_bytes)
    install_openapi(app, API_VERSION)
    app.register_blueprint(ops.blueprint)
    app.register_blueprint(ops_actions.blueprint)
    app.register_blueprint(ops_dashboard.blueprint)
    app.register_blueprint(auth.blueprint)
    app.register_blueprint(auth.downloads)
    app.register_blueprint(users.blueprint)
    app.register_blueprint(topics.blueprint)
    app.register_blueprint(topic_members.blueprint)
    app.register_blueprint(posts.blueprint)
    app.register_blueprint(comments.blueprint)
    app.register_blueprint(direct_messages.blueprint)
    app.register_blueprint(direct_message_writes.blueprint)
    app.register_blueprint(notifications.blueprint)
    app.register_blueprint(rooms.blueprint)
    app.register_blueprint(room_message_writes.blueprint)
    app.register_blueprint(room_moderation.blueprint)
    app.register_blueprint(topic_rooms.blueprint)
    app.register_blueprint(unread.blueprint)
    app.register_blueprint(webhooks.blueprint)
    app.register_blueprint(push.keys_blueprint)
    app.register_blueprint(push.blueprint)
    app.register_blueprint(push.unsubscribe_blueprint)
    app.register_blueprint(search.blueprint)
    app.register_blueprint(reports.blueprint)
    app.register_blueprint(tickets.blueprint)
    app.register_blueprint(admin.blueprint)
    app.register_blueprint(admin_bots.blueprint)
    app.register_blueprint(api_tokens.blueprint)
    app.register_blueprint(owned_bots.blueprint)
    app.register_blueprint(admin_content.blueprint)
    app.register_blueprint(admin_trash.blueprint)
    app.register_blueprint(calls.blueprint)
    app.register_blueprint(files.blueprint)
    app.register_blueprint(pictures.blueprint)
    app.register_blueprint(gifs.blueprint)
    app.register_blueprint(friends.blueprint)
    app.register_blueprint(content_settings.blueprint)
    if context.settings.profile is Profile.DEVELOPMENT:
        app.register_blueprint(development_pages.blueprint)
    if context.settings.webapp_path is not None:
        app.register_blueprint(webapp.create_blueprint(context.settings.webapp_path))
    install_blob_store(app)
    install_request_metrics(app)
    install_request_ids(app)
    install_early_answers(app)
    return app
