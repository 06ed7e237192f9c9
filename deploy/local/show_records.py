"""Print the demo's enriched records (or dead-letter envelopes) from stdin as one line each.

Records older than the demo run (the topics keep earlier runs) are skipped.
"""

import json
import sys
from datetime import datetime, timezone


def main() -> None:
    since = datetime.fromisoformat(sys.argv[1]).replace(tzinfo=timezone.utc)
    dead_letters = "--dead-letters" in sys.argv
    shown = 0
    for line in sys.stdin:
        record = json.loads(line)
        if dead_letters:
            headers = {h["name"]: h.get("value", "") for h in record.get("headers") or []}
            if datetime.fromtimestamp(record["timestamp_ms"] / 1000, timezone.utc) < since:
                continue
            print(f"  {headers.get('newsfeed.reason', '?'):<14} {headers.get('newsfeed.message', '')[:90]}")
        else:
            if datetime.fromisoformat(record["processed_at"].replace("Z", "+00:00")) < since:
                continue
            focus = [c["code"] for c in record["countries"] if c["focus"]]
            title = (record.get("title") or record["id"])[:60]
            print(f"  {title:<60} {record['status']:<9} topics={','.join(record['topics']) or '-'} "
                  f"regions={','.join(record['regions']) or '-'} focus={','.join(focus) or '-'}")
        shown += 1
    print(f"  ({shown} records)")


if __name__ == "__main__":
    main()
