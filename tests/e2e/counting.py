"""Taps and page loads of a walk through the site, task by task (bench/julies_day.py prints them).

A tap is one touch on the screen: a click on a link, button, box or radio, or touching a
field to type in it (the typing itself is not counted). A page load is a new document in
the tab: following a link or sending a form.
"""

import json
import os
from collections import Counter

# Where bench/julies_day.py asks the walk to leave its figures.
FIGURES_ENV = "JULIES_DAY_FIGURES"


class Walk:
    """Counts taps and page loads per task; the walk taps through tap() and fill()."""

    def __init__(self, page):
        self.page = page
        self.task = None
        self.taps = Counter()
        self.loads = Counter()
        self.order = []
        page.on("framenavigated", self._navigated)

    def _navigated(self, frame):
        if frame == self.page.main_frame and self.task:
            self.loads[self.task] += 1

    def start(self, task):
        self.task = task
        self.order.append(task)

    def tap(self, locator):
        self.taps[self.task] += 1
        locator.click()

    def check(self, locator):
        self.taps[self.task] += 1
        locator.check()

    def fill(self, locator, text):
        self.taps[self.task] += 1
        locator.fill(text)

    def choose(self, locator, **option):
        """A <select>: one tap opens it, one picks the option."""
        self.taps[self.task] += 2
        locator.select_option(**option)

    def figures(self):
        rows = [{"task": task, "taps": self.taps[task], "page loads": self.loads[task]} for task in self.order]
        rows.append({"task": "all", "taps": sum(self.taps.values()), "page loads": sum(self.loads.values())})
        return rows

    def save(self, viewport_name):
        """Leave the figures where bench/julies_day.py asked for them, if it did."""
        if path := os.environ.get(FIGURES_ENV):
            with open(path, "a", encoding="utf-8") as out:
                out.write(json.dumps({"viewport": viewport_name, "tasks": self.figures()}) + "\n")
