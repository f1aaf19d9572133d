/*
 * app_rewind.c - the program's side of the rewind (rewind.h): the step a key asked for,
 * read from the store on the loop thread at the next refresh. A step reads one minute's
 * stored rows (a few hundred, by primary key): well under a millisecond (bench/README.md),
 * so it needs no worker. The connection is app_trends.c's second one, opened before
 * privileges drop. What happened is said in the footer.
 */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "flowdrill/rewind.h"
#include "flowdrill/ui.h"

#include "app_priv.h"

#define APP_REWIND_MSG_MS 4000

void app_rewind_apply(struct app *a, struct ui *u, uint64_t now_ms)
{
    int req = u->rewind_req;
    u->rewind_req = 0;
    u->msg_until_ms = now_ms + APP_REWIND_MSG_MS;
    u->msg_alert = true;
    if (req == UI_REWIND_LIVE) {
        bool was = u->rewind.on;
        rewind_live(&u->rewind);
        u->msg_alert = false;
        snprintf(u->msg, sizeof u->msg, "%s", was ? "live again" : "already live");
        return;
    }
    if (!a->rewind_db) {
        snprintf(u->msg, sizeof u->msg, "%s",
                 a->o->no_store ? "rewind: history is off (--no-store); run without it to keep "
                                  "history"
                                : "rewind: no history store to read (see Trends, key 0)");
        return;
    }
    switch (rewind_step(&u->rewind, a->rewind_db, req)) {
    case REWIND_MOVED: {
        char hm[32];
        time_t tt = (time_t)u->rewind.t;
        struct tm tm;
        gmtime_r(&tt, &tm);
        strftime(hm, sizeof hm, "%Y-%m-%d %H:%M", &tm);
        u->msg_alert = false;
        snprintf(u->msg, sizeof u->msg, "history: the minute from %s UTC ([ ] step, ' live)",
                 hm);
        return;
    }
    case REWIND_LIVE:
        u->msg_alert = false;
        snprintf(u->msg, sizeof u->msg, "%s", "live again (past the newest stored minute)");
        return;
    case REWIND_NONE:
        snprintf(u->msg, sizeof u->msg, "%s",
                 req < 0 ? "rewind: no older minute in the store"
                         : "already live: [ steps back");
        return;
    default:
        snprintf(u->msg, sizeof u->msg, "%.150s", u->rewind.err);
        return;
    }
}
