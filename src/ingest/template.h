/*
 * template.h - the NetFlow v9 / IPFIX template cache and held data, as nf9.c and ipfix.c see
 * it (private to src/ingest; the collector-facing part is in nf_priv.h).
 *
 * Templates are keyed by (exporter address, port, domain, version, template id): v9 source
 * ids and IPFIX observation domains never share templates, nor do two exporters (N9-17).
 * The cache is bounded by nf_config.max_templates and max_template_bytes, shared fairly
 * between exporter domains (one exporter must not blind the collector to the others):
 *  - Quota: an exporter domain holds at most cfg.tpl_quota templates and tpl_quota_bytes;
 *    a new template past its quota recycles that domain's own least recently announced
 *    template (NF_R_TPL_RECYCLED, and tpl_recycled on its row).
 *  - Fair share: when the whole pool is full, the least recently announced template of
 *    the domain holding the most is recycled, but only when that domain holds more than
 *    the one asking would after learning (so a newcomer always gets room while someone
 *    holds more than it does); otherwise the new template is refused (NF_R_TPL_LIMIT,
 *    tpl_refused on the asking domain's row). Another domain's templates are never
 *    recycled for a domain that already holds as many.
 *  - Held data follows the same two rules with cfg.held_quota_bytes and max_held_bytes
 *    (sets dropped count NF_R_NO_TEMPLATE, and held_dropped on the owner's row).
 * Quotas of 0 turn the per-domain limit off (the pool alone bounds it).
 *
 * Documented choices:
 *  - Refresh/replace: re-announcing a template with the same layout refreshes it; a changed
 *    layout replaces it (N9-16). Either clears the stale mark.
 *  - Expiry: template_timeout_s after the last (re)announcement, on the arrival clock
 *    (0 = never).
 *  - Stale (exporter restart): templates stay usable until replaced, because exporters
 *    usually come back with the same layouts and data would otherwise be lost until the
 *    next refresh; records are bounds-checked against the layout either way.
 *  - Length 0 fields are kept and never read (N9-07); a field with an illegal length for its
 *    element is counted NF_R_FIELD_LEN_MISMATCH once, when the layout is learned, and read
 *    as opaque.
 *  - v9 options scope fields are scope types (system, interface, ...), not element ids, so
 *    they are opaque; IPFIX scope fields are ordinary elements.
 *  - Length 65535 is variable length in v9 as in IPFIX (RFC 7011 section 7: a 1-byte length,
 *    or 255 and a 2-byte length, before the field's bytes in each record), bounded by the
 *    set: a length past it counts NF_R_RECORD_TRUNCATED and ends the set.
 *
 * Sampling from options data: see template_records.c (34, 50, 309/310, 305/306).
 *
 * Held data: a data set whose template is unknown is copied (total cfg.max_held_bytes, at
 * most 64 KiB per set) with its clock context and arrival time (NF_R_HELD). When its
 * template is learned the decoder releases it: held sets are decoded in arrival order. Held
 * sets that time out (cfg.held_timeout_s) or are evicted for space count NF_R_NO_TEMPLATE.
 */
#ifndef FLOWDRILL_INGEST_TEMPLATE_H
#define FLOWDRILL_INGEST_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nf_fields.h"
#include "nf_priv.h"

#define NF_TPL_VARLEN 65535u          /* IPFIX variable-length field */
#define NF_HELD_SET_MAX (64u * 1024u) /* largest data set held */

struct nf_tpl_field {
    uint32_t pen; /* 0 = IANA / v9 */
    uint16_t id;  /* element id without the enterprise bit */
    uint16_t len; /* NF_TPL_VARLEN = variable */
    uint8_t sem;  /* enum nf_field_sem, resolved when learned */
    bool scope;   /* options template scope field */
};

struct nf_tpl {
    struct nf_tpl *next; /* hash chain (template.c) */
    struct nf_tpl *lru_prev, *lru_next; /* the owner's templates, least recently announced
                                           first (template.c) */
    uint32_t owner;      /* index of the exporter slot (nf_collector.exp) it belongs to */
    struct flow_addr addr;
    uint16_t port;
    uint32_t domain;
    uint8_t version; /* 9 or 10 */
    uint16_t id;
    bool options;
    bool stale;
    bool varlen; /* has variable-length fields */
    uint16_t n_fields;
    uint16_t n_scope;
    size_t min_len; /* bytes of a record: fixed lengths + 1 per variable field; >= 1 */
    int64_t refreshed_us;
    size_t bytes; /* counted against max_template_bytes */
    struct nf_tpl_field f[];
};

/* Called for each released held set; `set` covers the set's records (after its header).
 * Returns the number of records decoded (as nf_tpl_records). */
typedef uint32_t (*nf_tpl_decode_fn)(struct nf_collector *c, struct nf_exporter *e,
                                     const struct nf_tpl *tpl, struct wire *set,
                                     const struct nf_time_ctx *t);

/* Start decoding a message: returns its serial number (to tell held sets of this message
 * from older ones) and folds counts owed by nf_templates_drop() into the counters. */
uint32_t nf_tpl_message_begin(struct nf_collector *c);

/* The template `id` of e's domain in `version`, or NULL. Borrowed until the next call that
 * learns, withdraws or expires templates. */
const struct nf_tpl *nf_tpl_find(struct nf_templates *t, const struct nf_exporter *e,
                                 uint8_t version, uint16_t id);

/*
 * Learn (or refresh/replace) a template from `n` parsed fields (copied). Validates: no fields
 * or a zero-length record -> NF_R_TPL_BAD; n > NF_MAX_FIELDS -> NF_R_TPL_TOO_MANY_FIELDS;
 * record length > 65535 (summed in size_t) -> NF_R_TPL_BAD; options with n_scope == 0 or
 * > n -> NF_R_TPL_BAD; cache full -> NF_R_TPL_LIMIT. Counts the reason and returns -EINVAL
 * or -ENOSPC on rejection; 0 and *out (borrowed) on success.
 */
int nf_tpl_learn(struct nf_collector *c, const struct nf_exporter *e, uint8_t version, uint16_t id,
                 bool options, uint16_t n_scope, const struct nf_tpl_field *f, size_t n,
                 const struct nf_tpl **out);

/* Withdraw one template (unknown id: nothing happens), or all templates or all options
 * templates of e's domain in `version`. */
void nf_tpl_withdraw(struct nf_templates *t, const struct nf_exporter *e, uint8_t version,
                     uint16_t id);
void nf_tpl_withdraw_all(struct nf_templates *t, const struct nf_exporter *e, uint8_t version,
                         bool options);

/* Hold a copy of a data set (bytes after the set header) for template set_id. Counts
 * NF_R_HELD, or NF_R_NO_TEMPLATE when it cannot be held. */
void nf_tpl_hold(struct nf_collector *c, const struct nf_exporter *e, uint8_t version,
                 uint16_t set_id, const uint8_t *p, size_t len, const struct nf_time_ctx *t,
                 uint32_t serial);

/* Decode (through fn) and free every held set of e's domain waiting for `tpl`, oldest first.
 * Returns the records decoded from sets held by message `serial` (the one being decoded)
 * and sets *n_sets to how many such sets were released. */
uint32_t nf_tpl_release(struct nf_collector *c, struct nf_exporter *e, const struct nf_tpl *tpl,
                        nf_tpl_decode_fn fn, uint32_t serial, uint32_t *n_sets);

/*
 * Decode the records of one data set with template `tpl` (`set` covers the bytes after the
 * set header). Flow records go to nf_emit; options data records set sampling rates
 * (nf_sampling_set) and the IPFIX system init time. Trailing bytes shorter than a record are
 * padding (N9-12); a variable-length field past the set end counts NF_R_RECORD_TRUNCATED and
 * ends the set. Returns the number of records decoded (all of them options data records when
 * tpl->options, flow records otherwise; one data record may emit two flow records).
 */
uint32_t nf_tpl_records(struct nf_collector *c, struct nf_exporter *e, const struct nf_tpl *tpl,
                        struct wire *set, const struct nf_time_ctx *t);

/* IPFIX systemInitTimeMilliseconds of e's domain, from options data (kept with the domain's
 * templates, forgotten with them). */
void nf_tpl_sysinit_set(struct nf_templates *t, const struct nf_exporter *e, int64_t ms,
                        int64_t now_us);
bool nf_tpl_sysinit_get(struct nf_templates *t, const struct nf_exporter *e, int64_t *ms);

#endif
