"""External analyzers (bandit, ruff, semgrep): argv builders, JSON parsers and a concurrent runner.

Each adapter turns one analyzer's JSON into `ExternalFinding`s plus the files it could not
analyze; `runner.start_analyzers` runs them as subprocesses while native analysis goes on.
"""
