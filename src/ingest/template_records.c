/*
 * template_records.c - decoding the records of a v9/IPFIX data set with a learned template,
 * shared by nf9.c and ipfix.c (declared in template.h).
 *
 * Flow records are assembled by nf_fields.c and handed to nf_emit(); options data records
 * carry state instead (sampling rates, IPFIX systemInitTimeMilliseconds) and are never
 * emitted. Depends on template.h, nf_fields.h and the nf_priv.h collector callbacks.
 */
#include "config.h"

#include "template.h"

static uint32_t nf_tpl_rate32(uint64_t v)
{
    return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* rate = (a + b) / a = 1 + b / a, saturating; 0 when a is 0 (nf_sampling_set counts it and
 * uses 1). */
static uint32_t nf_tpl_ratio(uint64_t a, uint64_t b)
{
    if (a == 0)
        return 0;
    return b / a >= UINT32_MAX ? UINT32_MAX : (uint32_t)(1 + b / a);
}

/*
 * Options data, for the samplerId / selectorId (48/302) in the same record, exporter-wide
 * without one. The rate is, first found: samplingInterval (34); samplerRandomInterval (50);
 * samplingPopulation / samplingSize (310/309, random n-out-of-N: Cisco IOS-XR IPFIX);
 * (samplingPacketInterval + samplingPacketSpace) / samplingPacketInterval (305/306);
 * samplingPacketInterval alone taken as 1-in-N.
 */
static void nf_tpl_options_record(struct nf_collector *c, struct nf_exporter *e,
                                  const struct nf_fields_acc *a)
{
    uint32_t sid = nf_fields_has(a, NFF_SAMPLER_ID) ? nf_tpl_rate32(a->v[NFF_SAMPLER_ID]) : 0;

    if (nf_fields_has(a, NFF_SAMP_INTERVAL))
        nf_sampling_set(c, e, sid, nf_tpl_rate32(a->v[NFF_SAMP_INTERVAL]));
    else if (nf_fields_has(a, NFF_SAMPLER_RANDOM))
        nf_sampling_set(c, e, sid, nf_tpl_rate32(a->v[NFF_SAMPLER_RANDOM]));
    else if (nf_fields_has(a, NFF_SAMP_SIZE) && nf_fields_has(a, NFF_SAMP_POPULATION))
        nf_sampling_set(c, e, sid,
                        a->v[NFF_SAMP_SIZE]
                            ? nf_tpl_rate32(a->v[NFF_SAMP_POPULATION] / a->v[NFF_SAMP_SIZE])
                            : 0);
    else if (nf_fields_has(a, NFF_SAMP_PKT_INTERVAL) && nf_fields_has(a, NFF_SAMP_PKT_SPACE))
        nf_sampling_set(c, e, sid,
                        nf_tpl_ratio(a->v[NFF_SAMP_PKT_INTERVAL], a->v[NFF_SAMP_PKT_SPACE]));
    else if (nf_fields_has(a, NFF_SAMP_PKT_INTERVAL))
        nf_sampling_set(c, e, sid, nf_tpl_rate32(a->v[NFF_SAMP_PKT_INTERVAL]));
    if (nf_fields_has(a, NFF_SYSINIT_MS) && a->v[NFF_SYSINIT_MS] <= (uint64_t)INT64_MAX)
        nf_tpl_sysinit_set(c->tpl, e, (int64_t)a->v[NFF_SYSINIT_MS], c->now_us);
}

/* One data record read into acc: options state, or the flow record(s) it describes. */
static void nf_tpl_record_done(struct nf_collector *c, struct nf_exporter *e,
                               const struct nf_tpl *tpl, const struct nf_fields_acc *acc,
                               const struct nf_time_ctx *tc, struct nf_fields_plan *plan)
{
    if (tpl->options) {
        nf_tpl_options_record(c, e, acc);
        return;
    }
    uint32_t sid = 0;
    /* A samplingInterval inside a flow record is the rate of its sampler. */
    if (nf_fields_has(acc, NFF_SAMP_INTERVAL) && acc->v[NFF_SAMP_INTERVAL] != 0)
        nf_sampling_set(
            c, e, nf_fields_has(acc, NFF_SAMPLER_ID) ? nf_tpl_rate32(acc->v[NFF_SAMPLER_ID]) : 0,
            nf_tpl_rate32(acc->v[NFF_SAMP_INTERVAL]));
    struct flow_rec *r = nf_slot(c); /* room for two */
    if (plan->have != acc->have) /* the same for every record of most sets: made once */
        nf_fields_plan_make(acc->have, plan);
    uint8_t fam;
    int nr = nf_fields_finish_plan(acc, plan, tc, r, &sid, &fam);
    if (fam < NF_FAM_MAX)
        e->family[fam]++;
    if (plan->pkts == NFF_NONE)
        e->no_packets++; /* booked with 0 packets, as the export says nothing of them */
    for (int i = 0; i < nr; i++)
        nf_emit(c, e, &r[i], sid);
}

uint32_t nf_tpl_records(struct nf_collector *c, struct nf_exporter *e, const struct nf_tpl *tpl,
                        struct wire *set, const struct nf_time_ctx *t)
{
    struct nf_time_ctx tc = *t;
    struct nf_fields_acc acc;
    struct nf_fields_plan plan = {.have = UINT64_MAX}; /* no set of fields has every bit */
    uint32_t n_rec = 0;

    if (tpl->version == 10) {
        int64_t ms;
        tc.has_sysinit = nf_tpl_sysinit_get(c->tpl, e, &ms);
        tc.sysinit_ms = tc.has_sysinit ? ms : 0;
    }
    if (!tpl->varlen) {
        /* Every field has a fixed length, so every record is min_len (>= 1) bytes and each
         * field sits at the same offset: read them in place, no cursor per field. What is
         * left below min_len is padding. */
        struct nf_fields_op op[NF_MAX_FIELDS]; /* 1.5 KiB */
        size_t n_op = 0, off = 0;
        uint64_t have = 0; /* the same fields in every record */
        for (size_t i = 0; i < tpl->n_fields; i++) { /* the stores, decided once per set */
            if (nf_fields_op_of((enum nf_field_sem)tpl->f[i].sem, tpl->f[i].len, off, &op[n_op]))
                have |= UINT64_C(1) << op[n_op++].sem;
            off += tpl->f[i].len;
        }
        while (set->left >= tpl->min_len) {
            nf_fields_acc_init(&acc);
            acc.have = have;
            for (size_t i = 0; i < n_op; i++)
                nf_fields_store_op(&acc, &op[i], set->p);
            wire_skip(set, tpl->min_len);
            n_rec++;
            nf_tpl_record_done(c, e, tpl, &acc, &tc, &plan);
        }
        return n_rec;
    }
    /* min_len >= 1 (checked when learned), so every record consumes at least one byte and
     * the loop ends; what is left below min_len is padding. */
    while (set->left >= tpl->min_len) {
        bool ok = true;
        nf_fields_acc_init(&acc);
        for (size_t i = 0; i < tpl->n_fields && ok; i++) {
            const struct nf_tpl_field *f = &tpl->f[i];
            size_t len = f->len;
            struct wire fw;
            if (len == NF_TPL_VARLEN) {
                uint8_t l8;
                uint16_t l16;
                ok = wire_u8(set, &l8);
                len = l8;
                if (ok && l8 == 255) {
                    ok = wire_u16(set, &l16);
                    len = l16;
                }
            }
            ok = ok && wire_sub(set, len, &fw);
            if (ok)
                nf_fields_apply(&acc, (enum nf_field_sem)f->sem, &fw);
        }
        if (!ok) {
            nf_count(c, NF_R_RECORD_TRUNCATED);
            set->left = 0;
            break;
        }
        n_rec++;
        nf_tpl_record_done(c, e, tpl, &acc, &tc, &plan);
    }
    return n_rec;
}
