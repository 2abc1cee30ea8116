"""django-q2 entry points for flashcards: thin, ids in, work in generate/services."""

from apps.flashcards import generate, services


def generate_cards(generation_id: int, token: str) -> str:
    return generate.run(generation_id, token)


def recover_stale_generations() -> dict:
    return services.recover_stale_generations()


def optimise_parameters() -> dict:
    return services.optimise_all_parameters()
