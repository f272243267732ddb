# SPDX-License-Identifier: GPL-2.0-or-later
"""graphite-web in this process, for the tests: a Django app with its
settings in the test's temp dir (no HTTP server, Django's test Client).

    client = setup(web_dir, whisper_dirs, carbonlink_hosts)
    g = Graphite(client, t_from, t_until)
    g.render("collectd.*.wattcycle.*.voltage.pack"), g.find("collectd.*")

whisper_dirs: the storage directories graphite-web reads (one per
carbon-cache); carbonlink_hosts: the caches' query ports as
"HOST:PORT[:INSTANCE]", in the relay's DESTINATIONS order.
"""

import json
import os
import sys


def setup(web, whisper_dirs, carbonlink_hosts):
    os.makedirs(os.path.join(web, "log"), exist_ok=True)
    with open(os.path.join(web, "gweb_settings.py"), "w") as f:
        f.write("from graphite.settings import *  # noqa\n"
                "STORAGE_DIR = %r\n"
                "WHISPER_DIR = %r\n"
                "STANDARD_DIRS = %r\n"
                "LOG_DIR = %r\n"
                "INDEX_FILE = %r\n"
                "CARBONLINK_HOSTS = %r\n"
                "DATABASES = {'default': {'ENGINE': "
                "'django.db.backends.sqlite3', 'NAME': ':memory:'}}\n"
                "SECRET_KEY = 'wattcycle-tests'\n" % (
                    os.path.dirname(whisper_dirs[0]), whisper_dirs[0],
                    list(whisper_dirs), os.path.join(web, "log"),
                    os.path.join(web, "index"), list(carbonlink_hosts)))
    sys.path.insert(0, web)
    os.environ["DJANGO_SETTINGS_MODULE"] = "gweb_settings"
    import warnings
    warnings.simplefilter("ignore")
    import django
    django.setup()
    from django.core.management import call_command
    # An in-memory database needs its tables in this process.
    call_command("migrate", run_syncdb=True, verbosity=0)
    from django.test import Client
    return Client()


class Graphite:
    def __init__(self, client, t_from, t_until):
        self.c = client
        self.t_from, self.t_until = t_from, t_until
        self.calls = 0

    def render(self, target, fmt="json", **extra):
        self.calls += 1
        q = {"target": target, "from": str(self.t_from),
             "until": str(self.t_until), "format": fmt}
        q.update(extra)
        r = self.c.get("/render/", q)
        if r.status_code != 200:
            raise RuntimeError("render %s: HTTP %d: %s" % (
                target, r.status_code, r.content[:300]))
        return json.loads(r.content) if fmt == "json" else r.content

    def find(self, query):
        r = self.c.get("/metrics/find/", {"query": query})
        return sorted(x["text"] for x in json.loads(r.content))
