"""Chat: conversations, and answering a question from the student's notes.

One question goes through ``aanswer`` (an async generator of events, used by the websocket consumer; ``ask``
is its synchronous twin for the API and tests):

1. ``begin_turn`` (sync, in a thread): checks the rate limit and saves the question in one transaction,
   then the cache, retrieval, the relevance check, optional web search, and decides how to answer:
   ``cached`` | ``not_covered`` | ``extractive`` (offline mode) | ``model``.
2. For ``model`` the answer is streamed from the AI endpoint token by token. If the endpoint is down or the
   stream breaks, the answer becomes the extractive one with a notice (never an error page).
3. ``finish_turn`` (sync) saves the answer, updates the study session and fills the cache.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import re
import time
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta

from asgiref.sync import async_to_sync
from channels.db import DatabaseSyncToAsync, database_sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max
from django.http import Http404
from django.utils import timezone

from apps.accounts.models import Profile
from apps.chat import followups, prompts, websearch
from apps.chat.models import DEFAULT_TITLE, AnswerKind, Conversation, Message, MessageStatus, Role
from apps.chat.passages import distinct_passages
from apps.chat.rendering import cited_in
from apps.core import metrics
from apps.lectures import retrieval
from apps.lectures import selectors as lecture_selectors
from apps.lectures.models import Chunk, Lecture
from apps.study import services as study
from smartnotes import ai

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 4000
TOP_K = 8
PROMPT_PASSAGES = 6
EXTRACTIVE_PASSAGES = 3
SOURCES_WITHOUT_CITATIONS = 3
STUDY_IDLE_CAP_S = study.CHAT_IDLE_CAP_S

OFFLINE_NOTICE = "AI model not configured: showing the most relevant passages from your notes"
NOT_COVERED = "Your notes don't cover this."
UNUSABLE_NOTICE = (
    "The AI model gave an answer that could not be used; showing the most relevant passages from your notes instead."
)
CACHE_VERSION = 1


class ChatError(Exception):
    code = "error"

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class InvalidQuestion(ChatError):
    code = "invalid"


class RateLimited(ChatError):
    code = "rate_limited"

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(f"You're sending messages quickly — try again in {retry_after} s.")


class Busy(ChatError):
    code = "busy"


# -- conversations ------------------------------------------------------------------------------------


def start_conversation(*, actor, lecture=None, subject=None, title: str = "") -> Conversation:
    """A new conversation over ``lecture`` (its subject is implied) or over a whole ``subject``; it counts as a
    chat study session."""
    if lecture is not None:
        subject = lecture.subject
        if lecture.owner_id != actor.pk:
            raise PermissionError("not your lecture")
    if subject is None:
        raise ValueError("a conversation needs a lecture or a subject")
    if subject.user_id != actor.pk:
        raise PermissionError("not your subject")
    now = timezone.now()
    with transaction.atomic():
        session = study.start_chat(
            user_id=actor.pk, subject_id=subject.pk, lecture_id=lecture.pk if lecture else None, at=now
        )
        conversation = Conversation.objects.create(
            owner=actor, subject=subject, lecture=lecture, title=_title(title) or DEFAULT_TITLE, study_session=session
        )
        study.link_chat(session, conversation.pk)
    return conversation


def _title(text: str) -> str:
    return " ".join((text or "").split())[:200]


def rename_conversation(*, actor, conversation: Conversation, title: str) -> Conversation:
    if conversation.owner_id != actor.pk:
        raise PermissionError("not your conversation")
    title = _title(title)
    if not title:
        raise InvalidQuestion("Give the conversation a name.")
    conversation.title = title
    conversation.save(update_fields=["title", "updated_at"])
    return conversation


def delete_conversation(*, actor, conversation: Conversation) -> None:
    """Deletes the conversation and its messages; its study session stays in the statistics."""
    if conversation.owner_id != actor.pk:
        raise PermissionError("not your conversation")
    conversation.delete()


def title_from_question(question: str) -> str:
    words = " ".join(question.split())
    if len(words) <= 80:
        return words
    return words[:80].rsplit(" ", 1)[0] + "…"


# -- helpers ----------------------------------------------------------------------------------------


def normalise_question(question: str) -> str:
    text = unicodedata.normalize("NFKC", question).casefold()
    text = " ".join(text.split())
    return text.strip(" ?!.;:,¿¡")


def material_fingerprint(owner_id: int, *, lecture_id=None, subject_id=None) -> dict:
    """What the answer depends on in the notes: changes when a lecture in scope is added, reprocessed,
    cleared, re-embedded or deleted."""
    lectures = Lecture.objects.filter(owner_id=owner_id)
    chunks = Chunk.objects.filter(owner_id=owner_id)
    if lecture_id is not None:
        lectures, chunks = lectures.filter(pk=lecture_id), chunks.filter(lecture_id=lecture_id)
    else:
        lectures, chunks = lectures.filter(subject_id=subject_id), chunks.filter(subject_id=subject_id)
    agg = chunks.aggregate(count=Count("id"), last=Max("id"))
    rows = list(lectures.order_by("pk").values_list("pk", "processed_at", "embedding_model"))
    return {
        "chunks": agg["count"],
        "last_chunk": agg["last"] or 0,
        "lectures": [[pk, processed.isoformat() if processed else "", model] for pk, processed, model in rows],
        "embedding_models": sorted({model for _, _, model in rows if model}),
    }


def cache_key(
    *, owner_id, scope: tuple[str, int], question: str, history: list[str], fingerprint: dict, model: str
) -> str:
    payload = json.dumps(
        [CACHE_VERSION, owner_id, list(scope), normalise_question(question), history, fingerprint, model],
        sort_keys=True,
        default=str,
    )
    return "chat:answer:" + hashlib.sha256(payload.encode()).hexdigest()


def check_rate(actor) -> None:
    """Raise ``RateLimited`` when the user asked CHAT_RATE_PER_MINUTE questions in the last 60 s. Call inside
    a transaction holding the user's Profile row lock (see ``save_question``)."""
    limit = settings.CHAT_RATE_PER_MINUTE
    now = timezone.now()
    recent = Message.objects.filter(
        conversation__owner=actor, role=Role.USER, created_at__gt=now - timedelta(seconds=60)
    ).order_by("-created_at")
    times = list(recent.values_list("created_at", flat=True)[:limit])
    if len(times) >= limit:
        # The window frees up when the oldest of the last `limit` questions is 60 s old.
        retry = (times[-1] + timedelta(seconds=60) - now).total_seconds()
        raise RateLimited(max(1, math.ceil(retry)))


def _citation(hit) -> dict:
    snippet = " ".join(hit.text.split())
    if len(snippet) > 160:
        snippet = snippet[:160].rsplit(" ", 1)[0] + "…"
    return {
        "lecture_id": hit.lecture_id,
        "lecture_name": hit.lecture_name,
        "page": hit.page,
        "chunk_id": hit.chunk_id,
        "snippet": snippet,
    }


_MD_SPECIAL = re.compile(r"([\\`*_\[\]])")


def _md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def extractive_answer(
    passages: list[dict],
    web_results: list[dict] | None = None,
    *,
    intro: str = "Here are the passages from your notes that best match your question:",
) -> str:
    """Markdown quoting the passages, each followed by its citation."""
    blocks = []
    if passages:
        blocks.append(intro)
        for passage in passages:
            text = passage["text"].strip()
            if len(text) > 700:
                text = text[:700].rsplit(" ", 1)[0] + " …"
            lines = [line.rstrip() for line in text.splitlines() if line.strip()]
            quoted = "\n".join("> " + _md_escape(line.lstrip("#").strip()) for line in lines)
            where = passage.get("time") or f"p. {passage['page']}"
            blocks.append(f"{quoted}\n>\n> — [{ai.escape_markdown(passage['lecture_name'])}, {where}]")
    if web_results:
        links = [f"- [{_md_escape(r['title'])}]({r['url']}) — {_md_escape(r['snippet'][:200])}" for r in web_results]
        blocks.append("From the web (not from your notes):\n\n" + "\n".join(links))
    return "\n\n".join(blocks)


def not_covered_answer(scope_name: str, *, empty: bool = False) -> str:
    name = ai.escape_markdown(scope_name)
    if empty:
        return (
            f"{NOT_COVERED} “{name}” has no searchable passages yet: it may still be processing, or its "
            "memory was cleared. Try again once it is ready."
        )
    return (
        f"{NOT_COVERED} I couldn't find anything about it in “{name}”, so I won't guess. "
        "Try other words, or ask about a topic from the lecture."
    )


# -- one question -------------------------------------------------------------------------------------


@dataclass
class Turn:
    conversation_id: int
    user_message_id: int
    assistant_message_id: int
    question: str
    use_web: bool
    title: str | None  # the new conversation title when this question named it
    mode: str = "model"  # cached | not_covered | extractive | model (needs_web, planned: not decided yet)
    content: str = ""
    citations: list[dict] = field(default_factory=list)
    passages: list[dict] = field(default_factory=list)  # {"lecture_name", "page", "text", "citation"}
    web_results: list[dict] = field(default_factory=list)
    notice: str = ""
    web_notice: str = ""
    offline: bool = False
    messages: list[dict] = field(default_factory=list)
    cache_key: str | None = None
    model: str = ""
    history: list[tuple[str, str]] = field(default_factory=list)
    scope_name: str = ""
    started: float = field(default_factory=time.monotonic)


def save_question(
    actor, conversation: Conversation, question: str, use_web: bool
) -> tuple[Message, Message, str | None]:
    """Rate limit and persist, atomically: the Profile row lock serialises one user's questions across
    processes, so the count of questions in the last minute is exact."""
    with transaction.atomic():
        Profile.objects.select_for_update().get_or_create(user=actor)
        check_rate(actor)
        user_message = Message.objects.create(
            conversation=conversation, role=Role.USER, content=question, kind=AnswerKind.QUESTION, web_search=use_web
        )
        assistant = Message.objects.create(
            conversation=conversation, role=Role.ASSISTANT, status=MessageStatus.STREAMING, web_search=use_web
        )
        new_title = None
        if conversation.title == DEFAULT_TITLE:
            new_title = title_from_question(question)
            Conversation.objects.filter(pk=conversation.pk).update(title=new_title, updated_at=timezone.now())
        else:
            Conversation.objects.filter(pk=conversation.pk).update(updated_at=timezone.now())
    return user_message, assistant, new_title


def _history(conversation: Conversation, before_id: int) -> list[tuple[str, str]]:
    """Earlier complete (question, answer) pairs of the conversation, oldest first."""
    return [(q, a) for q, a, _ in _exchanges(conversation, before_id, prompts.HISTORY_EXCHANGES)]


def _exchanges(conversation: Conversation, before_id: int, limit: int) -> list[tuple[str, str, str]]:
    """The last ``limit`` complete (question, answer, answer kind) exchanges before ``before_id``, oldest first."""
    rows = list(
        conversation.messages.filter(pk__lt=before_id)
        .order_by("-created_at", "-pk")
        .values_list("role", "content", "status", "kind")[: limit * 2 + 2]
    )[::-1]
    exchanges, pending = [], None
    for role, content, status, kind in rows:
        if role == Role.USER:
            pending = content
        elif pending is not None and status == MessageStatus.COMPLETE and content:
            exchanges.append((pending, content, kind))
            pending = None
    return exchanges[-limit:]


def begin_turn(actor, conversation_id: int, question: str, use_web: bool = False) -> Turn:
    """Everything before the model call that needs the database (and the embedding model). Raises
    ``ChatError``s. When the student asked for web search, the turn comes back with mode "needs_web": run
    ``run_web_search`` then ``decide`` (``aanswer`` does it off the database thread)."""
    from apps.chat.selectors import get_conversation_for_user

    question = (question or "").strip()
    if not question:
        raise InvalidQuestion("Type a question first.")
    if len(question) > MAX_QUESTION_CHARS:
        raise InvalidQuestion(f"Questions can be at most {MAX_QUESTION_CHARS} characters long.")
    try:
        conversation = get_conversation_for_user(actor, conversation_id)
    except Http404:
        raise ChatError("This conversation no longer exists (it, or its lecture, was deleted).") from None
    user_message, assistant, new_title = save_question(actor, conversation, question, use_web)
    turn = Turn(
        conversation_id=conversation.pk,
        user_message_id=user_message.pk,
        assistant_message_id=assistant.pk,
        question=question,
        use_web=use_web,
        title=new_title,
    )
    try:
        _plan(turn, actor, conversation)
        _add_times(actor, turn)
        if turn.mode == "planned":
            decide(turn)
    except Exception:
        log.exception("could not prepare the answer to question %s", user_message.pk)
        Message.objects.filter(pk=assistant.pk).update(
            status=MessageStatus.ERROR, content="Something went wrong while preparing the answer. Please try again."
        )
        raise
    return turn


def _plan(turn: Turn, actor, conversation: Conversation) -> None:
    scope = (
        {"lecture_id": conversation.lecture_id} if conversation.lecture_id else {"subject_id": conversation.subject_id}
    )
    scope_key = (
        ("lecture", conversation.lecture_id) if conversation.lecture_id else ("subject", conversation.subject_id)
    )
    fingerprint = material_fingerprint(actor.pk, **scope)
    if fingerprint["chunks"] == 0:
        turn.mode, turn.content = "not_covered", not_covered_answer(conversation.scope_name, empty=True)
        return

    offline = ai.is_offline()
    turn.offline = offline
    history = _history(conversation, turn.user_message_id)
    if not offline:
        turn.model = ai.get_settings().chat_model
    normalised = normalise_question(turn.question)
    if not offline and not turn.use_web and settings.CHAT_CACHE_SECONDS > 0:
        # Earlier questions shape the answer (they are in the prompt), except repeats of this very question.
        history_key = [q for q in (normalise_question(q) for q, _ in history) if q != normalised]
        turn.cache_key = cache_key(
            owner_id=actor.pk, scope=scope_key, question=turn.question, history=history_key,
            fingerprint=fingerprint, model=turn.model,
        )  # fmt: skip
        cached = cache.get(turn.cache_key)
        if cached:
            turn.mode, turn.content, turn.citations = "cached", cached["content"], cached["citations"]
            return

    # Vectors from another embedding model would be meaningless: fall back to words only until re-embedded.
    current_model = ai.embedding_model_id()
    mode = "hybrid" if fingerprint["embedding_models"] in ([], [current_model]) else "text"

    def relevant_for(text: str) -> list[retrieval.Hit]:
        return retrieval.relevant_hits(retrieval.search(actor, text, k=TOP_K, mode=mode, **scope))

    relevant = relevant_for(turn.question)
    if history:
        exchanges = _exchanges(conversation, turn.user_message_id, followups.CONTEXT_EXCHANGES)
        relevant = _read_in_conversation(turn, exchanges, relevant, relevant_for)
    turn.passages = [
        {"lecture_name": p.hit.lecture_name, "page": p.hit.page, "text": p.text, "citation": _citation(p.hit)}
        for p in distinct_passages(relevant, limit=PROMPT_PASSAGES, max_chars=prompts.MAX_PASSAGE_CHARS)
    ]
    turn.citations = [p["citation"] for p in turn.passages]
    turn.history = history
    turn.scope_name = conversation.scope_name
    turn.mode = "needs_web" if turn.use_web else "planned"


def _read_in_conversation(turn: Turn, exchanges, alone: list, relevant_for) -> list:
    """The relevant hits for a question asked after the (question, answer, kind) ``exchanges``, given those it
    finds ``alone``.

    A follow-up is searched with the questions it continues; anything else is judged alone, so a new topic the
    notes do not cover is refused (see apps/chat/followups.py). With a model, the model's standalone rewrite
    decides, and the heuristic is only the fallback when the model fails.
    """
    follow_up = followups.looks_like_follow_up(turn.question)
    if alone and not follow_up:
        return alone  # stands alone and the notes cover it: nothing to rewrite
    if not turn.offline:
        rewritten = followups.standalone_question(turn.question, [(q, a) for q, a, _ in exchanges])
        if rewritten is not None:
            log.debug("question %s searched as %r", turn.user_message_id, rewritten)
            same = normalise_question(rewritten) == normalise_question(turn.question)
            return alone if same else relevant_for(rewritten)
    # Refused exchanges are not what a follow-up continues ("and for floats?" after an off-topic question).
    earlier = [question for question, _, kind in exchanges if kind != AnswerKind.NOT_COVERED]
    if not follow_up or not earlier:
        return alone
    own = followups.own_words(turn.question)
    together = relevant_for(followups.search_text(turn.question, earlier))
    if own and not alone and followups.mentioned(own, [h.text for h in together]) < followups.MIN_MENTIONED:
        return []  # "and who won the world cup?": what it asks about is not in the pages of the previous topic
    if not own:
        return together  # "explain more", "why?": the words alone find nothing meaningful
    # "and for floats?": both readings count; passages that both find rank first.
    by_id = {hit.chunk_id: hit for hit in [*alone, *together]}
    fused = retrieval.fuse([h.chunk_id for h in together], [h.chunk_id for h in alone])
    return [by_id[chunk_id] for chunk_id, _ in fused]


def _add_times(actor, turn: Turn) -> None:
    """Passages of a transcript or recording are cited by their start time ("12:34"), not a page number."""
    pairs = [(p["citation"]["lecture_id"], p["page"]) for p in turn.passages]
    times = lecture_selectors.page_times(actor, pairs) if pairs else {}
    for passage in turn.passages:
        time = times.get((passage["citation"]["lecture_id"], passage["page"]))
        if time:
            passage["time"] = passage["citation"]["time"] = time


def run_web_search(turn: Turn) -> None:
    """The optional web search (network; never inside a database thread). Failures become a notice."""
    try:
        turn.web_results = [r.__dict__ for r in websearch.search_web(turn.question)]
    except websearch.WebSearchUnavailable:
        turn.web_notice = websearch.UNAVAILABLE_NOTICE


def decide(turn: Turn) -> None:
    """With the passages (and web results) known: not covered, extractive (offline) or the model's prompt."""
    turn.mode = "model"
    if not turn.passages and not turn.web_results:
        turn.mode, turn.content = "not_covered", not_covered_answer(turn.scope_name)
        turn.cache_key = None
        return
    if turn.offline:
        to_extractive(turn, OFFLINE_NOTICE)
        return
    turn.messages = prompts.build_messages(
        turn.question,
        [prompts.Passage(p["lecture_name"], p["page"], p["text"], p.get("time", "")) for p in turn.passages],
        history=turn.history,
        web_results=[prompts.WebResult(**r) for r in turn.web_results],
    )


def to_extractive(turn: Turn, notice: str) -> None:
    turn.mode = "extractive"
    turn.notice = notice
    turn.cache_key = None
    shown = turn.passages[:EXTRACTIVE_PASSAGES]
    turn.content = extractive_answer(shown, turn.web_results)
    turn.citations = [p["citation"] for p in shown]


def finish_turn(turn: Turn, *, first_token_ms: int | None = None, error: bool = False) -> Message:
    """Save the answer, count the question in the study session, and cache a model answer."""
    kind = {
        "not_covered": AnswerKind.NOT_COVERED,
        "extractive": AnswerKind.EXTRACTIVE,
    }.get(turn.mode, AnswerKind.ANSWER)
    citations = turn.citations
    if turn.mode == "model" and not error:
        cited = cited_in(turn.content, turn.citations)
        if cited:
            citations = cited
        elif turn.content.lstrip().startswith(NOT_COVERED):
            citations = []
            kind = AnswerKind.NOT_COVERED
        else:
            citations = turn.citations[:SOURCES_WITHOUT_CITATIONS]
    now = timezone.now()
    with transaction.atomic():
        Message.objects.filter(pk=turn.assistant_message_id).update(
            content=turn.content,
            citations=citations,
            web_results=turn.web_results,
            status=MessageStatus.ERROR if error else MessageStatus.COMPLETE,
            kind=kind,
            offline=turn.mode in ("extractive", "not_covered") or turn.offline,
            from_cache=turn.mode == "cached",
            notice=turn.notice[:300],
            web_notice=turn.web_notice[:300],
            model=turn.model if turn.mode in ("model", "cached") else "",
            first_token_ms=first_token_ms,
            duration_ms=int((time.monotonic() - turn.started) * 1000),
        )
        Conversation.objects.filter(pk=turn.conversation_id).update(updated_at=now)
        _count_in_study_session(turn.conversation_id, now)
    if turn.mode == "model" and not error and turn.cache_key and turn.content:
        cache.set(turn.cache_key, {"content": turn.content, "citations": citations}, settings.CHAT_CACHE_SECONDS)
    return Message.objects.select_related("conversation").get(pk=turn.assistant_message_id)


def _count_in_study_session(conversation_id: int, now) -> None:
    conversation = Conversation.objects.select_related("study_session").get(pk=conversation_id)
    session = conversation.study_session
    if session is None or session.archived:  # created before sessions were linked, or a year-old conversation
        session = study.start_chat(
            user_id=conversation.owner_id, subject_id=conversation.subject_id, lecture_id=conversation.lecture_id,
            at=now, metadata={"conversation_id": conversation.pk},
        )  # fmt: skip
        Conversation.objects.filter(pk=conversation_id).update(study_session=session)
    study.count_chat_question(session, now)


def fail_turn(turn: Turn) -> Message:
    turn.mode = "model"
    turn.content = "Something went wrong while answering. Please try again."
    turn.citations = []
    turn.cache_key = None
    return finish_turn(turn, error=True)


# -- the streaming orchestration ---------------------------------------------------------------------


@dataclass
class Event:
    type: str  # start | token | done | error
    text: str = ""
    turn: Turn | None = None
    message: Message | None = None
    error: ChatError | None = None


async def aanswer(actor, conversation_id: int, question: str, *, use_web: bool = False) -> AsyncIterator[Event]:
    """Answer one question, yielding ``start``, ``token``…, then ``done`` (or a single ``error`` when the
    question is refused: rate limit, empty question)."""
    try:
        # Not on the one shared "thread-sensitive" thread: embedding the question takes CPU time, and other
        # sockets' database calls should not queue behind it.
        turn = await DatabaseSyncToAsync(begin_turn, thread_sensitive=False)(actor, conversation_id, question, use_web)
    except ChatError as exc:
        yield Event("error", error=exc)
        return
    yield Event("start", turn=turn)
    if turn.mode == "needs_web":
        await asyncio.to_thread(run_web_search, turn)
        decide(turn)
    first_token_ms = None
    if turn.mode == "model":
        pieces: list[str] = []
        try:
            async for token in ai.astream_chat(turn.messages):
                if first_token_ms is None:
                    waited = time.monotonic() - turn.started
                    first_token_ms = int(waited * 1000)
                    metrics.chat_first_token(waited)
                pieces.append(token)
                yield Event("token", text=token, turn=turn)
            turn.content = "".join(pieces)
            if not turn.content.strip():
                raise ai.AIResponseError(detail="empty answer")
        except ai.AIError as exc:
            log.warning("chat model failed for message %s: %r", turn.assistant_message_id, exc)
            to_extractive(turn, exc.user_message if isinstance(exc, ai.AIUnavailable) else UNUSABLE_NOTICE)
        except Exception:
            log.exception("chat stream failed for message %s", turn.assistant_message_id)
            message = await database_sync_to_async(fail_turn)(turn)
            yield Event("done", turn=turn, message=message)
            return
    message = await DatabaseSyncToAsync(finish_turn, thread_sensitive=False)(turn, first_token_ms=first_token_ms)
    yield Event("done", turn=turn, message=message)


def ask(actor, conversation: Conversation, question: str, *, use_web: bool = False) -> Message:
    """Synchronous, non-streaming answer (API, tests). Raises ``ChatError`` when the question is refused."""

    async def run():
        async for event in aanswer(actor, conversation.pk, question, use_web=use_web):
            if event.type == "error":
                raise event.error
            if event.type == "done":
                return event.message
        raise RuntimeError("the answer ended without a result")

    return async_to_sync(run)()
