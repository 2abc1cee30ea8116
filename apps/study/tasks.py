from apps.study import services


def archive_old_sessions() -> int:
    return services.archive_old_sessions()
