"""``/api/auth``: username availability, changing my email, my data export, deleting my
account; and ``/api/exports`` (:data:`downloads`): the signed single-use export links.

Changing the email, exporting and deleting need a recent authentication (step-up).
"""

from __future__ import annotations

import secrets

from quart import Blueprint, Response, current_app
from quart_schema import document_response, validate_querystring, validate_response

from http_facade.context import current_context
from http_facade.guard import login_required
from http_facade.middleware.rate_limits import RateClass, rate_class
from http_facade.middleware.security import request_client_address
from http_facade.openapi import ErrorBody
from http_facade.pagination import ListQuery, slice_page
from http_facade.replies import Accepted, Done
from http_facade.routes.auth.account_jobs import enqueue_export
from http_facade.routes.auth.dependencies import account_services, client_info, require_step_up
from http_facade.routes.auth.export_download import archive_response
from http_facade.routes.auth.schemas_security import (
    ChangeEmailRequest,
    DeletionStatus,
    ExportDownloadQuery,
    ExportList,
    ExportView,
    UsernameAvailability,
    UsernameQuery,
)
from http_facade.routes.files.blobs import BLOBS_KEY
from http_facade.validation import validate_body
from protocol.fields import milliseconds
from services.accounts import deletion, email_change, exports
from services.accounts.availability import username_availability
from services.principal import Principal
from storage.records.security import AccountRequest

blueprint = Blueprint("lifecycle", __name__)
downloads = Blueprint("exports", __name__, url_prefix="/api/exports")


def export_view(export: AccountRequest) -> ExportView:
    """The public view of an export (never its archive key)."""
    return ExportView(
        id=export.id,
        state=export.state,
        created_at=milliseconds(export.created_at),
        size=export.size,
        expires_at=milliseconds(export.expires_at),
    )


@blueprint.get("/username-available")
@rate_class(RateClass.CODE)
@validate_querystring(UsernameQuery)
@validate_response(UsernameAvailability)
async def username_available(query_args: UsernameQuery) -> UsernameAvailability:
    """Whether a username can be taken (takes no email address: tells nothing of them)."""
    found = await username_availability(
        account_services(), query_args.username, request_client_address()
    )
    return UsernameAvailability(
        username=found.username, available=found.available, problem=found.problem
    )


@blueprint.post("/email")
@rate_class(RateClass.CODE)
@login_required
@validate_body(ChangeEmailRequest)
@validate_response(Accepted, 202)
async def change_email(principal: Principal, data: ChangeEmailRequest) -> tuple[Accepted, int]:
    """Change my address (recent authentication needed): a confirmation link goes to the
    new one.  Answers the same whether or not the address is another account's."""
    services = await require_step_up(principal)
    await email_change.change_email(services, principal.user_id, data.email, client_info())
    return Accepted(message="if the address is free, a confirmation link was sent to it"), 202


@blueprint.post("/export")
@rate_class(RateClass.CODE)
@login_required
@validate_response(ExportView, 202)
async def request_export(principal: Principal) -> tuple[ExportView, int]:
    """Ask for an archive of my data (recent authentication needed); it is built in the
    background and its single-use link is emailed and announced by notification."""
    services = await require_step_up(principal)
    export = await exports.request_export(services, principal.user_id, client_info())
    await enqueue_export(export)
    return export_view(export), 202


@blueprint.get("/export")
@login_required
@validate_querystring(ListQuery)
@validate_response(ExportList)
async def list_exports(principal: Principal, query_args: ListQuery) -> ExportList:
    """My recent exports, newest first."""
    found = await exports.list_exports(account_services(), principal.user_id)
    page, cursor = slice_page(
        [export_view(export) for export in found], query_args.cursor, query_args.limit
    )
    return ExportList(exports=page, next_cursor=cursor)


@blueprint.get("/deletion")
@login_required
@validate_response(DeletionStatus)
async def deletion_status(principal: Principal) -> DeletionStatus:
    """Whether my account is scheduled for deletion, and when."""
    pending = await deletion.pending_deletion(account_services(), principal.user_id)
    if pending is None:
        return DeletionStatus(scheduled=False)
    return DeletionStatus(scheduled=True, due_at=milliseconds(pending.due_at))


@blueprint.post("/deletion")
@rate_class(RateClass.CODE)
@login_required
@validate_response(DeletionStatus, 202)
async def request_deletion(principal: Principal) -> tuple[DeletionStatus, int]:
    """Schedule my account's deletion after the grace period (recent authentication
    needed); cancel it with ``DELETE`` until then."""
    services = await require_step_up(principal)
    grace = current_context().settings.account_deletion_grace_seconds
    pending = await deletion.request_deletion(services, principal.user_id, grace, client_info())
    return DeletionStatus(scheduled=True, due_at=milliseconds(pending.due_at)), 202


@blueprint.delete("/deletion")
@login_required
@validate_response(Done)
async def cancel_deletion(principal: Principal) -> Done:
    """Cancel my account's scheduled deletion (404 when none is)."""
    await deletion.cancel_deletion(account_services(), principal.user_id, client_info())
    return Done(message="the deletion was cancelled")


@downloads.get("/<export_id>/download")
@validate_querystring(ExportDownloadQuery)
@document_response(ErrorBody, 404)
@document_response(ErrorBody, 503)
async def download_export(export_id: str, query_args: ExportDownloadQuery) -> Response:
    """The zip archive of a data export, for a valid signed link, once; 404 for a bad,
    expired, used or in-use link; 503 when the archive cannot be read now (the link then
    still works).  Only a complete download spends the link.  Only the error answers are
    in the schema."""
    services = account_services()
    key = exports.link_key(current_context().settings.secret_key)
    claimant = secrets.token_hex(8)
    export = await exports.claim_download(
        services, key, export_id[:64], query_args.expires, query_args.signature,
        claimant=claimant,
    )
    return await archive_response(
        services, export, claimant, current_app.extensions.get(BLOBS_KEY)
    )
