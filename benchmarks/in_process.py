"""Figures taken inside one Django process rather than over HTTP (run with the benchmark's
environment, see environment.py; prints JSON).

- ``facts``: what the page list needs from the data: the opportunity the opportunity page
  shows (one with a recommendation, referrals and reviews) and the register's last page.
- ``dashboard``: the dashboard figures built without the cache (``reports.figures
  .dashboard_figures``), the median of five builds in milliseconds (the first, with cold
  connections and caches, reported apart). The bar: under 200 ms at 100 000 opportunities.
"""

import json
import statistics
import sys
import time


def facts() -> dict:
    from django.db import connection

    from boards.models import Board
    from opportunities.models import Opportunity
    from opportunities.views import PAGE_SIZE

    board = Board.objects.get()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT v.opportunity_id FROM opportunities_review v "
            "JOIN opportunities_recommendation r ON r.opportunity_id = v.opportunity_id "
            "ORDER BY v.opportunity_id LIMIT 1"
        )
        (opportunity,) = cursor.fetchone()
    count = Opportunity.objects.filter(board=board).count()
    return {
        "board": board.slug,
        "opportunity": opportunity,
        "last_page": max(1, -(-count // PAGE_SIZE)),
        "opportunities": count,
    }


def dashboard() -> dict:
    from django.utils import timezone

    from boards.models import Board
    from reports.figures import dashboard_figures

    board = Board.objects.get()
    today = timezone.localdate()
    times = []
    for _ in range(6):
        started = time.perf_counter()
        dashboard_figures(board, today)
        times.append((time.perf_counter() - started) * 1000)
    return {"first_ms": times[0], "median_ms": statistics.median(times[1:])}


if __name__ == "__main__":
    import django

    django.setup()
    step = {"facts": facts, "dashboard": dashboard}[sys.argv[1]]
    print(json.dumps(step()))
