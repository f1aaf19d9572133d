/*
 * store_writer.c - the thread that writes minutes into the history store (see store.h).
 *
 * The event loop hands over one struct store_minute per minute through a bounded queue and
 * never waits (unless told to, store_set_wait: reading a file): a full queue (the disk
 * stalled for STORE_QUEUE minutes) drops the new minute and counts it. The writer owns the
 * database connection. Each minute is one transaction, so a killed process loses at most the
 * minute being written. Rows are added to what a minute
 * already holds (a restart within the same minute adds its part). Depends on SQLite and
 * pthreads.
 */
#include "config.h"

#include "flowdrill/store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "flowdrill/xalloc.h"

#define STORE_QUEUE 16

struct store {
    sqlite3 *db;
    struct store_policy pol;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_cond_t room; /* a minute was taken off the queue (store_set_wait) */
    bool wait;
    struct store_minute *q[STORE_QUEUE];
    unsigned head, n;
    bool stop;
    /* the writer's own (read after the join) */
    uint64_t written, failed, dropped;
    int64_t hour;   /* the hour last written to, -1 before the first */
    uint32_t newest; /* newest minute written: retention's clock */
    char err[256];
};

static uint64_t store_row_bytes(const struct store_row *r)
{
    return r->c.bytes[0] + r->c.bytes[1];
}

static int store_row_cmp(const void *x, const void *y)
{
    const struct store_row *a = x, *b = y;
    if (a->table != b->table)
        return a->table < b->table ? -1 : 1;
    /* the rest rows last, then by bytes, descending, then key (deterministic) */
    if ((a->key_len == 0) != (b->key_len == 0))
        return a->key_len == 0 ? 1 : -1;
    uint64_t ba = store_row_bytes(a), bb = store_row_bytes(b);
    if (ba != bb)
        return ba > bb ? -1 : 1;
    if (a->key_len != b->key_len)
        return a->key_len < b->key_len ? -1 : 1;
    return memcmp(a->key, b->key, a->key_len);
}

static int store_write_row(sqlite3_stmt *ins, uint32_t t, int tbl, const uint8_t *key,
                           int klen, const struct store_counts *c)
{
    sqlite3_reset(ins);
    sqlite3_bind_int(ins, 1, tbl);
    sqlite3_bind_int64(ins, 2, t);
    if (klen)
        sqlite3_bind_blob(ins, 3, key, klen, SQLITE_STATIC);
    else
        sqlite3_bind_zeroblob(ins, 3, 0);
    sqlite3_bind_int64(ins, 4, (int64_t)c->bytes[0]);
    sqlite3_bind_int64(ins, 5, (int64_t)c->bytes[1]);
    sqlite3_bind_int64(ins, 6, (int64_t)c->pkts[0]);
    sqlite3_bind_int64(ins, 7, (int64_t)c->pkts[1]);
    sqlite3_bind_int64(ins, 8, (int64_t)c->flows);
    return sqlite3_step(ins) == SQLITE_DONE ? 0 : -1;
}

static void store_counts_add(struct store_counts *to, const struct store_counts *c)
{
    to->bytes[0] += c->bytes[0];
    to->bytes[1] += c->bytes[1];
    to->pkts[0] += c->pkts[0];
    to->pkts[1] += c->pkts[1];
    to->flows += c->flows;
}

static int store_write_rows(sqlite3 *db, const struct store_policy *p, struct store_minute *m)
{
    sqlite3_stmt *ins;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO minute_row VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                           " ON CONFLICT(tbl, t, key) DO UPDATE SET b0 = b0 + excluded.b0,"
                           " b1 = b1 + excluded.b1, p0 = p0 + excluded.p0,"
                           " p1 = p1 + excluded.p1, flows = flows + excluded.flows",
                           -1, &ins, NULL) != SQLITE_OK)
        return -1;
    if (m->n_rows)
        qsort(m->rows, m->n_rows, sizeof *m->rows, store_row_cmp);
    int rc = 0;
    for (size_t i = 0; i < m->n_rows && rc == 0;) {
        int tbl = m->rows[i].table;
        struct store_counts rest = {{0, 0}, {0, 0}, 0};
        bool have_rest = false;
        for (uint32_t kept = 0; i < m->n_rows && m->rows[i].table == tbl; i++) {
            const struct store_row *r = &m->rows[i];
            if (r->key_len && kept < p->top) {
                kept++;
                rc |= store_write_row(ins, m->t, tbl, r->key, r->key_len, &r->c);
            } else {
                store_counts_add(&rest, &r->c);
                have_rest = true;
            }
        }
        if (have_rest)
            rc |= store_write_row(ins, m->t, tbl, NULL, 0, &rest);
    }
    sqlite3_finalize(ins);
    return rc;
}

static int store_write_total(sqlite3 *db, const struct store_minute *m)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO minute_total VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                           " ON CONFLICT(t) DO UPDATE SET bytes = bytes + excluded.bytes,"
                           " packets = packets + excluded.packets,"
                           " flows = flows + excluded.flows,"
                           " bytes_in = bytes_in + excluded.bytes_in,"
                           " bytes_out = bytes_out + excluded.bytes_out,"
                           " packets_in = packets_in + excluded.packets_in,"
                           " packets_out = packets_out + excluded.packets_out",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    int64_t v[8] = {m->t,        (int64_t)m->bytes,     (int64_t)m->packets,
                    (int64_t)m->flows, (int64_t)m->bytes_in, (int64_t)m->bytes_out,
                    (int64_t)m->packets_in, (int64_t)m->packets_out};
    for (int i = 0; i < 8; i++)
        sqlite3_bind_int64(st, i + 1, v[i]);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    return rc;
}

int store_write_minute(sqlite3 *db, const struct store_policy *p, struct store_minute *m)
{
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    if (store_write_total(db, m) != 0 || store_write_rows(db, p, m) != 0) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static void store_note_error(struct store *s, const char *what)
{
    if (!s->err[0])
        snprintf(s->err, sizeof s->err, "%s: %s", what, sqlite3_errmsg(s->db));
}

/* Roll up hour s->hour and apply retention (one transaction). */
static void store_leave_hour(struct store *s)
{
    if (s->hour < 0)
        return;
    int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc == SQLITE_OK && store_retention_roll_hour(s->db, (uint32_t)s->hour, s->pol.top) == 0 &&
        store_retention_apply(s->db, &s->pol, s->newest + 60) == 0)
        rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    else
        rc = SQLITE_ERROR;
    if (rc != SQLITE_OK) {
        store_note_error(s, "cannot roll up an hour");
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
}

static void store_handle(struct store *s, struct store_minute *m)
{
    int64_t h = m->t - m->t % 3600;
    if (s->hour >= 0 && h != s->hour)
        store_leave_hour(s);
    s->hour = h;
    if (m->t > s->newest)
        s->newest = m->t;
    if (store_write_minute(s->db, &s->pol, m) == 0) {
        s->written++;
    } else {
        s->failed++;
        store_note_error(s, "cannot write a minute");
    }
    store_minute_free(m);
}

static void *store_main(void *arg)
{
    struct store *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->n && !s->stop)
            pthread_cond_wait(&s->cv, &s->mu);
        if (!s->n)
            break; /* stopping, and everything written */
        struct store_minute *m = s->q[s->head];
        s->head = (s->head + 1) % STORE_QUEUE;
        s->n--;
        pthread_cond_signal(&s->room);
        pthread_mutex_unlock(&s->mu);
        store_handle(s, m);
        pthread_mutex_lock(&s->mu);
    }
    pthread_mutex_unlock(&s->mu);
    store_leave_hour(s);
    return NULL;
}

struct store *store_start(sqlite3 *db, const struct store_policy *p)
{
    struct store *s = xcalloc(1, sizeof *s);
    s->db = db;
    s->pol = *p;
    s->hour = -1;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    pthread_cond_init(&s->room, NULL);
    if (pthread_create(&s->thread, NULL, store_main, s) != 0)
        abort(); /* like out-of-memory: nothing sensible to go on with */
    return s;
}

void store_push(struct store *s, struct store_minute *m)
{
    pthread_mutex_lock(&s->mu);
    while (s->wait && s->n == STORE_QUEUE && !s->stop)
        pthread_cond_wait(&s->room, &s->mu);
    if (s->n == STORE_QUEUE || s->stop) {
        s->dropped++;
        pthread_mutex_unlock(&s->mu);
        store_minute_free(m);
        return;
    }
    s->q[(s->head + s->n) % STORE_QUEUE] = m;
    s->n++;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

void store_set_wait(struct store *s, bool wait)
{
    pthread_mutex_lock(&s->mu);
    s->wait = wait;
    pthread_mutex_unlock(&s->mu);
}

int store_close(struct store *s, char *err, size_t errlen)
{
    if (errlen)
        err[0] = '\0';
    if (!s)
        return 0;
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    int rc = 0;
    if (s->failed || s->dropped || s->err[0]) {
        snprintf(err, errlen, "history store: %llu minutes not written (%llu dropped: the disk "
                              "was too slow)%s%s",
                 (unsigned long long)(s->failed + s->dropped), (unsigned long long)s->dropped,
                 s->err[0] ? "; " : "", s->err);
        rc = s->failed || s->dropped ? -1 : 0;
    }
    sqlite3_close(s->db);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    pthread_cond_destroy(&s->room);
    free(s);
    return rc;
}
