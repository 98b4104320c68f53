"""Running an actor's hooks under supervision: one turn, a failure, a flush.

These functions settle what the caller of a hook is owed — the asker's reply, a log
line, a failure to record — and leave the decisions (restart, retire) to the
activation that calls them.
"""

from __future__ import annotations

import logging
import time

import outcome
import trio

from actors.runtime.actor import Actor
from actors.runtime.errors import (
    ActorCrashed,
    ActorStopped,
    DependencyUnavailable,
    MessageRejected,
)
from actors.runtime.messages import Envelope, set_ask_chain
from actors.runtime.ref import Address
from actors.runtime.statistics import FailureRecord
from storage.errors import StorageUnavailable

logger = logging.getLogger(__name__)


def failure_record(address: Address, error: BaseException) -> FailureRecord:
    """The record of ``error`` for statistics and snapshots."""
    return FailureRecord(str(address), time.time(), type(error).__name__, str(error))


def dependency_failed(
    actor: Actor, envelopes: list[Envelope], error: StorageUnavailable, address: Address
) -> None:
    """A turn met an unavailable store or Redis: fail its asks with
    ``DependencyUnavailable``, tell the actor (``on_dependency_failure``), keep it running.
    """
    logger.warning("%s: a turn failed, a storage service is unavailable: %s", address, error)
    for envelope in envelopes:
        if envelope.reply is not None:
            envelope.reply.fail(DependencyUnavailable(
                address, type(envelope.message).__name__, str(error),
                outcome_unknown=error.timed_out, retry_after=error.retry_after,
            ))
    try:
        actor.on_dependency_failure(error)
    except Exception:
        logger.exception("%s: on_dependency_failure raised", address)


async def handle(
    actor: Actor, envelope: Envelope, own_chain: tuple[Address, ...]
) -> Exception | None:
    """Run ``on_receive`` for one envelope and settle its reply.

    Returns ``None`` when the message was handled or refused (``MessageRejected`` goes to
    the asker unchanged; a refused tell is logged) or met an unavailable storage service
    (:func:`dependency_failed`), or the exception that crashed the handler, after failing
    the ask with ``ActorCrashed``. If the turn is cancelled, the ask fails with
    ``ActorStopped`` and the cancellation propagates.
    """
    message = envelope.message
    reply = envelope.reply
    address = own_chain[-1]
    set_ask_chain(envelope.chain + own_chain if envelope.chain else own_chain)
    try:
        result = await actor.on_receive(message)
    except MessageRejected as rejection:
        if reply is not None:
            reply.fail(rejection)
        else:
            logger.warning("%s refused a told %s: %s", address, type(message).__name__,
                           rejection)
        return None
    except StorageUnavailable as error:  # an outage, not a bug: no restart
        dependency_failed(actor, [envelope], error, address)
        return None
    except Exception as error:  # the supervision point: the ask fails, the actor restarts
        if reply is not None:
            reply.fail(
                ActorCrashed(address, type(message).__name__, type(error).__name__, str(error))
            )
        return error
    except BaseException:
        if reply is not None:
            reply.fail(ActorStopped(address, "stopped while handling this message"))
        raise
    if reply is not None:
        reply.succeed(result)
    return None


async def handle_batch(
    actor: Actor, envelopes: list[Envelope], own_chain: tuple[Address, ...]
) -> Exception | None:
    """Run ``on_receive_batch`` for a run of envelopes and settle each reply, like
    :func:`handle`: a ``MessageRejected`` outcome goes to its asker alone; an exception
    raised by the handler (or an outcome that is not a refusal) crashes the actor and fails
    every ask of the batch."""
    address = own_chain[-1]
    waiting = tuple(dict.fromkeys(hop for envelope in envelopes for hop in envelope.chain))
    set_ask_chain(waiting + own_chain if waiting else own_chain)
    messages = [envelope.message for envelope in envelopes]
    try:
        outcomes = await actor.on_receive_batch(messages)
        if len(outcomes) != len(envelopes):
            raise RuntimeError(f"{len(outcomes)} outcomes for a batch of {len(envelopes)}")
        for result in outcomes:
            if isinstance(result, outcome.Error) and not isinstance(
                result.error, MessageRejected
            ):
                raise result.error
    except StorageUnavailable as error:  # as in handle(): every ask of the batch fails
        dependency_failed(actor, envelopes, error, address)
        return None
    except Exception as error:  # the supervision point, as in handle()
        for envelope in envelopes:
            if envelope.reply is not None:
                envelope.reply.fail(ActorCrashed(
                    address, type(envelope.message).__name__, type(error).__name__, str(error)
                ))
        return error
    except BaseException:
        for envelope in envelopes:
            if envelope.reply is not None:
                envelope.reply.fail(ActorStopped(address, "stopped while handling this message"))
        raise
    for envelope, result in zip(envelopes, outcomes, strict=True):
        if envelope.reply is not None:
            if isinstance(result, outcome.Error):
                envelope.reply.fail(result.error)
            else:
                envelope.reply.succeed(result.unwrap())
        elif isinstance(result, outcome.Error):
            logger.warning("%s refused a told %s: %s", address, type(envelope.message).__name__,
                           result.error)
    return None


async def notify_failure(
    actor: Actor | None, error: Exception, message: object, address: Address
) -> None:
    """Log a crash with its traceback and run ``on_failure`` on the failed instance."""
    logger.error("%s crashed (message %s)", address, type(message).__name__, exc_info=error)
    if actor is None:
        return
    try:
        await actor.on_failure(error, message)
    except Exception:
        logger.exception("%s: on_failure raised", address)


async def flush(
    actor: Actor, own_chain: tuple[Address, ...], stop_timeout: float
) -> Exception | None:
    """Run ``on_stop`` shielded from cancellation, bounded by ``stop_timeout`` seconds.

    Returns the failure (the exception, or a ``TimeoutError`` on overrun), already logged.
    """
    set_ask_chain(own_chain)
    failure: Exception | None = None
    deadline = trio.current_time() + stop_timeout
    with trio.CancelScope(deadline=deadline, shield=True) as scope:
        try:
            await actor.on_stop()
        except Exception as error:
            failure = error
    if scope.cancelled_caught:
        failure = TimeoutError(f"on_stop exceeded {stop_timeout:g} s")
    if failure is not None:
        logger.error("%s: on_stop failed, state may not be flushed", own_chain[-1],
                     exc_info=failure)
    return failure
