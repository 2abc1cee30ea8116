"""Retrieval quality on the shared fixture decks: top-1/top-3 page accuracy, MRR, refusal precision/recall, and
how often chat answers (offline, extractive) cite an expected page, fresh and inside conversations.

Builds a throwaway database (``bench_eval_retrieval``) on the app's PostgreSQL server, ingests the decks named in
bench/eval_retrieval/questions.yaml through the real pipeline (isolated extraction, cleaning, chunking, local
embeddings), asks every question and prints the figures and the misses (tests/retrieval_eval.py does the work;
apps/lectures/tests/test_retrieval_eval.py holds the same figures to floors). Exits 0 whatever the figures.

Usage: .venv/bin/python bench/eval_retrieval.py [--quiet] [--keep] [--reuse] [--no-chat]

--keep leaves the database (and its ingested decks) behind; --reuse evaluates a kept one again without
ingesting (after migrating it), to compare ranking changes quickly.
"""

import argparse
import ast
import importlib
import os
import tempfile

import benchenv  # noqa: F401 - first, for its effects: the repository importable, offline and quiet settings

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="smartnotes-eval-")  # uploads go to a throwaway folder
for _name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "CHAT_MODEL", "GENERATION_MODEL"):
    os.environ.pop(_name, None)  # offline: chat answers are the extractive ones, with citations

from retrieval import drop_database, setup_django  # noqa: E402

BENCH_DB = "bench_eval_retrieval"


def use_kept_database():
    from django.conf import settings

    db = dict(settings.DATABASES["default"])
    for alias in ("default", "channels_postgres"):
        if alias in settings.DATABASES:
            settings.DATABASES[alias]["NAME"] = BENCH_DB
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return db


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="figures only, not the misses")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="evaluate the kept database again, no ingestion")
    parser.add_argument("--no-chat", action="store_true", help="retrieval figures only")
    parser.add_argument("--reembed", action="store_true", help="with --reuse: recompute the chunk vectors first")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="MODULE.NAME=VALUE",
        help="override a ranking constant for this run, e.g. apps.lectures.ranking.OVERVIEW_WEIGHT=1",
    )
    args = parser.parse_args()
    if args.reuse:
        args.keep = True
        db = use_kept_database()
    else:
        db = setup_django(BENCH_DB, cache_table=True)
    try:
        from django.contrib.auth import get_user_model

        from tests import retrieval_eval

        evalset = retrieval_eval.load_questions()
        for assignment in args.set:
            target, value = assignment.split("=", 1)
            module, name = target.rsplit(".", 1)
            setattr(importlib.import_module(module), name, ast.literal_eval(value))
        if args.reuse:
            corpus = retrieval_eval.existing_corpus(get_user_model().objects.get(username="eval"), evalset)
            if args.reembed:
                from apps.lectures.services import reembed_lecture

                for lecture in corpus.lectures.values():
                    reembed_lecture(lecture)
        else:
            user = get_user_model().objects.create(username="eval", email="eval@example.org")
            corpus = retrieval_eval.ingest_decks(user, evalset)
        report = retrieval_eval.evaluate(corpus, evalset, chat=not args.no_chat)
        print(retrieval_eval.format_report(report, misses=not args.quiet))
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(db, BENCH_DB)


if __name__ == "__main__":
    main()
