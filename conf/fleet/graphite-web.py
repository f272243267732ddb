# SPDX-License-Identifier: GPL-2.0-or-later
# collectd-wattcycle, many sites: graphite-web's view of the two caches of
# conf/fleet/carbon-relay.conf.  Add to graphite-web's local_settings.py
# (Debian: /etc/graphite/local_settings.py).

# Every series lives in exactly one of the two storage directories.
STANDARD_DIRS = ['/var/lib/graphite/whisper-a', '/var/lib/graphite/whisper-b']
# Points still in a cache's memory: the caches' CACHE_QUERY_PORTs with the
# relay's instance names, in the relay's DESTINATIONS order (same ring).
CARBONLINK_HOSTS = ['127.0.0.1:7002:a', '127.0.0.1:7102:b']
