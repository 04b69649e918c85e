#include "ft_dispatch.h"
#include "ft_area.h"
#include "ft_buf.h"
#include "ft_dup.h"
#include "ft_err.h"
#include "ft_exit.h"
#include "ft_hist.h"
#include "ft_hold.h"
#include "ft_input.h"
#include "ft_json.h"
#include "ft_pending.h"
#include "ft_reject.h"
#include "ft_run.h"
#include "ft_rules.h"
#include "ft_store.h"
#include "ft_sha256.h"
#include "ft_time.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_BATCH 2000
/*
 * --pending reads the next page on a thread of its own (ft_pending.h)
 * while it decides and writes a page, for pages of at most this many
 * events (two are in memory at once); larger ones it reads itself.
 */
#define PENDING_AHEAD_MAX 20000
/* make bench's build without the thread (-DFT_NO_READ_AHEAD): see there. */
#ifdef FT_NO_READ_AHEAD
#define READ_AHEAD 0
#else
#define READ_AHEAD 1
#endif

/* Members ft-dispatch writes; a record's own are replaced. */
static const char *const ours[] = {
	"status", "area", "unit", "rule", "priority", "respond_by",
	"resolve_by", "duplicate_of", "near_boundary", "escalation",
	"escalated_from", "explain", NULL
};

struct counts {
	long read, dispatched, duplicates, unchanged, notnew, rejected;
	long escalated, near;
};

/* The decoded fields of the event at hand; buffers reused. */
struct fields {
	struct ft_buf id, category, source, title, text, facility, area,
		      when;
	int has_point, severity;
	double lat, lon;
	int64_t reported;
};

struct ft_dispatch {
	struct ft_dispatch_opts o;
	struct ft_db *db;
	struct ft_store *store;
	struct ft_area *a;
	struct ft_rules *rules;
	struct ft_hist hist;
	struct ft_reject rej;
	struct ft_dup *dup;	/* the open cases, for the duplicate search */
	unsigned long dup_txn;	/* the transaction dup was synced in */
	double near_m, dup_m;
	int dup_min, dup_fac;
	char now[FT_TIME_LEN];
	char rules_digest[65];	/* SHA-256 of the rules file, hex */
	int64_t now_t;
	struct ft_run run; /* the batches, and their output */
	struct counts c;
	struct counts kept;	/* c as of the last commit */
	struct fields f;
	struct ft_json_doc doc;
	struct ft_buf line, detail, explain, chain, nearb, why, dupid, dupunit;
	double t0;
	struct ft_db_ckpt ck;
};

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
fields_init(struct fields *f)
{
	ft_buf_init(&f->id);
	ft_buf_init(&f->category);
	ft_buf_init(&f->source);
	ft_buf_init(&f->title);
	ft_buf_init(&f->text);
	ft_buf_init(&f->facility);
	ft_buf_init(&f->area);
	ft_buf_init(&f->when);
}

static void
fields_release(struct fields *f)
{
	ft_buf_release(&f->id);
	ft_buf_release(&f->category);
	ft_buf_release(&f->source);
	ft_buf_release(&f->title);
	ft_buf_release(&f->text);
	ft_buf_release(&f->facility);
	ft_buf_release(&f->area);
	ft_buf_release(&f->when);
}

/* The SHA-256 of the rules file at path, in hex, into hex. */
static int
rules_digest(const char *path, char hex[65])
{
	struct ft_sha256 c;
	unsigned char md[32];
	size_t len;
	char *text = ft_slurp(path, "the rules", &len);

	if (!text)
		return FT_NOINPUT;
	ft_sha256_init(&c);
	ft_sha256_add(&c, text, len);
	ft_sha256_done(&c, md);
	ft_hex(hex, md, sizeof(md));
	free(text);
	return FT_OK;
}

/* A batch committed: its counts stand (ft_run). */
static void
keep_counts(void *ctx)
{
	struct ft_dispatch *d = ctx;

	d->kept = d->c;
}

/*
 * A batch was dropped: nothing of it is counted, but the events read and
 * the records rejected (they are in the rejects file already).
 */
static void
drop_counts(void *ctx)
{
	struct ft_dispatch *d = ctx;
	long read = d->c.read, rejected = d->c.rejected;

	d->c = d->kept;
	d->c.read = read;
	d->c.rejected = rejected;
}

int
ft_dispatch_new(struct ft_dispatch **dp, struct ft_db *db,
		const struct ft_dispatch_opts *o)
{
	struct ft_dispatch *d = ft_xmalloc(sizeof(*d));
	int st;

	memset(d, 0, sizeof(*d));
	*dp = d;
	d->o = *o;
	if (!d->o.batch)
		d->o.batch = DEFAULT_BATCH;
	d->db = db;
	d->t0 = seconds();
	d->now_t = ft_time_now();
	ft_time_format(d->now_t, d->now);
	fields_init(&d->f);
	ft_json_doc_init(&d->doc);
	ft_run_init(&d->run, db, (long)d->o.batch, o->dry_run, o->no_output);
	d->run.ctx = d;
	d->run.keep = keep_counts;
	d->run.drop = drop_counts;
	ft_buf_init(&d->line);
	ft_buf_init(&d->detail);
	ft_buf_init(&d->explain);
	ft_buf_init(&d->chain);
	ft_buf_init(&d->nearb);
	ft_buf_init(&d->why);
	ft_buf_init(&d->dupid);
	ft_buf_init(&d->dupunit);
	if ((st = ft_reject_open(&d->rej, o->rejects)))
		return st;
	if ((st = ft_hist_init(&d->hist, db, "ft-dispatch")))
		return st;
	if ((st = ft_store_open(&d->store, db)) ||
	    (st = ft_area_load(&d->a, d->store)))
		return st;
	if (o->rules) {
		if ((st = ft_rules_load(&d->rules, o->rules, d->a)))
			return st;
		if ((st = rules_digest(o->rules, d->rules_digest)))
			return st;
		d->near_m = ft_rules_near_m(d->rules);
		ft_rules_dups(d->rules, &d->dup_m, &d->dup_min, &d->dup_fac);
		if ((st = ft_dup_new(&d->dup, d->store, d->dup_m, d->dup_min,
				     d->dup_fac)))
			return st;
	}
	ft_db_ckpt_start(&d->ck, db);
	return FT_OK;
}

void
ft_dispatch_free(struct ft_dispatch *d)
{
	if (!d)
		return;
	ft_db_ckpt_stop(&d->ck);
	ft_dup_free(d->dup);
	ft_hist_release(&d->hist);
	ft_reject_close(&d->rej);
	ft_rules_free(d->rules);
	ft_area_free(d->a);
	ft_store_close(d->store);
	fields_release(&d->f);
	ft_json_doc_release(&d->doc);
	ft_run_release(&d->run);
	ft_buf_release(&d->line);
	ft_buf_release(&d->detail);
	ft_buf_release(&d->explain);
	ft_buf_release(&d->chain);
	ft_buf_release(&d->nearb);
	ft_buf_release(&d->why);
	ft_buf_release(&d->dupid);
	ft_buf_release(&d->dupunit);
	free(d);
}

/* ---- batches ---- */

/*
 * Counts one more event into the batch, in a write transaction, with the
 * memory of the open cases brought up to date with that transaction.
 */
static int
in_batch(struct ft_dispatch *d)
{
	int st;

	if ((st = ft_run_enter(&d->run)))
		return st;
	if (d->dup_txn != d->db->txn) {
		if ((st = ft_dup_sync(d->dup)))
			return st;
		d->dup_txn = d->db->txn;
	}
	return FT_OK;
}

static void
reject(struct ft_dispatch *d, long line, const char *reason,
       const char *raw, size_t rawlen, const struct ft_json_doc *doc)
{
	d->c.rejected++;
	ft_reject_add(&d->rej, d->run.fname, line, reason, raw, rawlen,
		      doc ? doc->text.s : NULL, doc ? doc->text.len : 0);
}

/* Rejects the event at hand, named by its id (d->f.id). */
static void
reject_id(struct ft_dispatch *d, long line, const char *reason,
	  const char *raw, size_t rawlen, const struct ft_json_doc *doc)
{
	d->c.rejected++;
	ft_reject_add_id(&d->rej, d->run.fname, line, d->f.id.s, d->f.id.len,
			 reason, raw, rawlen, doc ? doc->text.s : NULL,
			 doc ? doc->text.len : 0);
}

/* ---- reading an event ---- */

/* A string member decoded into b; 0 when absent, null or "". */
static int
str_member(const struct ft_json_doc *doc, const char *key, struct ft_buf *b)
{
	const struct ft_json_member *m = ft_json_get(doc, key);

	ft_buf_reset(b);
	if (!m || doc->text.s[m->val] != '"' || m->vallen <= 2)
		return 0;
	ft_json_unescape(doc->text.s + m->val, m->vallen, b);
	return b->len > 0;
}

static int
num_member(const struct ft_json_doc *doc, const char *key, double *x)
{
	const struct ft_json_member *m = ft_json_get(doc, key);
	const char *s;
	char *end;

	if (!m)
		return 0;
	s = doc->text.s + m->val;
	if (*s == '"') {	/* a number in a string, as CSV gives */
		*x = strtod(s + 1, &end);
		return end != s + 1 && *end == '"';
	}
	if (*s != '-' && (*s < '0' || *s > '9'))
		return 0;
	*x = strtod(s, &end);
	return 1;
}

/*
 * Reads the fields of d->doc, a stored event's record; NULL, or why it
 * is unusable.
 */
static const char *
read_fields(struct ft_dispatch *d)
{
	struct fields *f = &d->f;
	const struct ft_json_doc *doc = &d->doc;
	const char *err;
	double x = 0, y = 0;

	if (!str_member(doc, "id", &f->id))
		return "field \"id\": missing";
	if (!str_member(doc, "reported_at", &f->when))
		return "field \"reported_at\": missing";
	if (ft_time_parse(f->when.s, f->when.len, &f->reported, &err)) {
		ft_buf_reset(&d->why);
		ft_buf_addf(&d->why, "field \"reported_at\": %s", err);
		return d->why.s;
	}
	str_member(doc, "category", &f->category);
	str_member(doc, "source", &f->source);
	str_member(doc, "title", &f->title);
	str_member(doc, "text", &f->text);
	str_member(doc, "facility", &f->facility);
	str_member(doc, "area", &f->area);
	f->severity = num_member(doc, "severity", &x) && x >= 1 && x <= 4 ?
		      (int)x : 0;
	f->has_point = num_member(doc, "lat", &y) &&
		       num_member(doc, "lon", &x) && fabs(y) <= 90 &&
		       fabs(x) <= 180 && !(x == 0 && y == 0);
	f->lat = y;
	f->lon = x;
	return NULL;
}

/* ---- writing the result ---- */

/*
 * The record without the members ft-dispatch writes, open: "{...".  An
 * empty record gets "id":null, so that members follow with a comma.
 */
static void
record_head(struct ft_buf *b, const struct ft_json_doc *doc)
{
	if (!ft_json_object_without(doc, ours, b))
		ft_buf_adds(b, "\"id\":null");
}

/* ---- duplicates ---- */

/* The duplicate search's view of the event at hand, seq. */
static void
dup_event(const struct ft_dispatch *d, int64_t seq, struct ft_dup_event *e)
{
	const struct fields *f = &d->f;

	e->seq = seq;
	e->id = f->id.s;
	e->idlen = f->id.len;
	e->unit = NULL;
	e->at = f->reported;
	e->category = f->category.s;
	e->catlen = f->category.len;
	e->facility = f->facility.s;
	e->faclen = f->facility.len;
	e->has_point = f->has_point;
	e->lat = f->lat;
	e->lon = f->lon;
}

/*
 * The event at hand (seq), sent to unit, is now an open case the search
 * must find.
 */
static void
remember(struct ft_dispatch *d, int64_t seq, const char *unit)
{
	struct ft_dup_event e;

	dup_event(d, seq, &e);
	e.unit = unit;
	ft_dup_add(d->dup, &e);
}

/*
 * The open event this one (seq) repeats, into id and unit: at the same
 * facility, or of the same category within the distance and time (see
 * ft_dup.h).  *found is 1 when there is one, else 0.  Returns a status.
 */
static int
find_duplicate(struct ft_dispatch *d, int64_t seq, int *found,
	       struct ft_buf *id, struct ft_buf *unit, const char **how)
{
	struct ft_dup_event e;
	const char *oid, *ounit;
	int64_t of;
	int st;

	ft_buf_reset(id);
	ft_buf_reset(unit);
	dup_event(d, seq, &e);
	if ((st = ft_dup_find(d->dup, &e, found, &of, &oid, &ounit, how)) ||
	    !*found)
		return st;
	if (oid) {
		ft_buf_adds(id, oid);
		if (ounit)
			ft_buf_adds(unit, ounit);
		return FT_OK;
	}
	/* An open case read from the database: its id and unit are there. */
	return ft_store_event_id_unit(d->store, of, id, unit);
}

/* ---- one event ---- */

/*
 * The area of the event: given, else its facility's, else its point's.
 * Returns the unit index or -1; *name is the area's id (or the given
 * text), *how says which.
 */
static int
place(struct ft_dispatch *d, struct ft_area_hit *h, const char **name,
      const char **how, const struct ft_facility **fac)
{
	struct fields *f = &d->f;
	int u = -1;

	memset(h, 0, sizeof(*h));
	h->unit = -1;
	*name = NULL;
	*how = "none";
	*fac = f->facility.len ? ft_area_facility(d->a, f->facility.s,
						  f->facility.len) : NULL;
	if (f->area.len) {
		*how = "given";
		*name = f->area.s;
		return ft_area_find(d->a, f->area.s, f->area.len);
	}
	if (*fac && (*fac)->area) {
		*how = "facility";
		*name = (*fac)->area;
		return ft_area_find(d->a, (*fac)->area, strlen((*fac)->area));
	}
	if (*fac && (*fac)->has_point) {
		*how = "facility";
		u = ft_area_locate(d->a, (*fac)->lon, (*fac)->lat,
				   f->reported, 0, h);
	} else if (f->has_point) {
		*how = "point";
		u = ft_area_locate(d->a, f->lon, f->lat, f->reported,
				   d->near_m, h);
	}
	*name = u >= 0 ? ft_area_id(d->a, u) : NULL;
	return u;
}

static void
explain_area(struct ft_dispatch *d, const struct ft_area_hit *h,
	     const char *how, const char *name)
{
	struct ft_buf *b = &d->line;
	size_t i;

	ft_buf_adds(b, ",\"explain\":{\"area\":{\"how\":");
	ft_json_escape(b, how, strlen(how));
	ft_json_put_decided(b, "area", name);
	if (!strcmp(how, "point") || (h->tested && !strcmp(how,
							    "facility"))) {
		ft_buf_addf(b, ",\"tested\":%zu,\"within\":[", h->tested);
		for (i = 0; i < h->nwithin; i++) {
			const char *id = ft_area_id(d->a, h->within[i]);

			if (i)
				ft_buf_addc(b, ',');
			ft_json_escape(b, id, strlen(id));
		}
		ft_buf_adds(b, "],\"near\":[");
		for (i = 0; i < h->nnear; i++) {
			const char *id = ft_area_id(d->a, h->near[i]);

			if (i)
				ft_buf_addc(b, ',');
			ft_buf_adds(b, "{\"area\":");
			ft_json_escape(b, id, strlen(id));
			ft_buf_adds(b, ",\"metres\":");
			ft_json_number(b, round(h->near_m[i] * 10) / 10);
			ft_buf_addc(b, '}');
		}
		ft_buf_addc(b, ']');
	}
	ft_buf_addc(b, '}');
}

/* Stores the decision and appends the output line.  seq: the event. */
static int
store(struct ft_dispatch *d, int64_t seq, const char *area,
      const char *unit, const char *rule, int priority, const char *resp,
      const char *resol, const char *status, const char *dup)
{
	struct ft_hist_entry e = { 0 };
	struct ft_dispatch_decision c = { 0 };
	struct ft_buf *dt = &d->detail;
	int st, stored;

	c.seq = seq;
	c.area = area;
	c.unit = unit;
	c.rule = rule;
	c.priority = priority;
	c.respond_by = resp;
	c.resolve_by = resol;
	c.status = status;
	c.at = d->now;
	c.chain = d->chain.s;
	c.chainlen = d->chain.len;
	c.near = d->nearb.s;
	c.nearlen = d->nearb.len;
	c.duplicate_of = dup;
	if ((st = ft_store_event_dispatch(d->store, &c, &stored)))
		return st;
	if (!stored)
		return -1;	/* dispatched meanwhile by another run */
	ft_buf_reset(dt);
	ft_buf_adds(dt, "{\"area\":");
	if (area)
		ft_json_escape(dt, area, strlen(area));
	else
		ft_buf_adds(dt, "null");
	ft_json_put_decided(dt, "unit", unit);
	if (dup) {
		ft_json_put_decided(dt, "duplicate_of", dup);
	} else {
		ft_json_put_decided(dt, "rule", rule);
		ft_json_put_number(dt, "priority", priority);
		ft_json_put_decided(dt, "respond_by", resp);
		ft_json_put_decided(dt, "resolve_by", resol);
	}
	ft_json_put_raw(dt, "near_boundary", d->nearb.s, d->nearb.len);
	ft_buf_addc(dt, '}');
	e.kind = "event";
	e.id = d->f.id.s;
	e.idlen = d->f.id.len;
	e.at = d->now;
	e.action = dup ? "duplicate" : "dispatch";
	e.from = "new";
	e.to = status;
	e.detail = dt->s;
	e.detaillen = dt->len;
	return ft_hist_add(&d->hist, &e);
}

/*
 * The event at hand has no location and no rule matches it: the history
 * says so, with the rules file's digest, so that --pending passes over it
 * until the event or the rules change, instead of reporting it on every
 * run from cron.
 */
static int
unplaced(struct ft_dispatch *d)
{
	struct ft_hist_entry e = { 0 };

	ft_buf_reset(&d->detail);
	ft_buf_adds(&d->detail, "{\"reason\":\"no location and no rule "
		    "matches it\",\"rules\":\"");
	ft_buf_adds(&d->detail, d->rules_digest);
	ft_buf_adds(&d->detail, "\"}");
	e.kind = "event";
	e.id = d->f.id.s;
	e.idlen = d->f.id.len;
	e.at = d->now;
	e.action = "unplaced";
	e.from = e.to = "new";
	e.detail = d->detail.s;
	e.detaillen = d->detail.len;
	return ft_hist_add(&d->hist, &e);
}

/* What ft-dispatch decided for the event at hand (decide()). */
struct verdict {
	enum {
		V_REJECT,
		V_DUPLICATE,
		V_DISPATCH
	} what;
	const char *why; /* V_REJECT: the reason */
	int unplaced; /* V_REJECT: it is in no area either */
	struct ft_area_hit h;
	const char *area, *how; /* the area found, and how */
	const struct ft_facility *fac;
	const char *unit;
	const char *duphow; /* V_DUPLICATE: how (d->dupid is the case) */
	int ri; /* V_DISPATCH: the rule */
	const char *respond_by, *resolve_by; /* NULL: none */
	char resp[FT_TIME_LEN], resol[FT_TIME_LEN];
};

/* The ids of the areas the event is near, as a JSON array in d->nearb. */
static void
near_list(struct ft_dispatch *d, const struct ft_area_hit *h)
{
	size_t i;

	ft_buf_reset(&d->nearb);
	if (!h->nnear)
		return;
	ft_buf_addc(&d->nearb, '[');
	for (i = 0; i < h->nnear; i++) {
		const char *id = ft_area_id(d->a, h->near[i]);

		if (i)
			ft_buf_addc(&d->nearb, ',');
		ft_json_escape(&d->nearb, id, strlen(id));
	}
	ft_buf_addc(&d->nearb, ']');
}

/* The escalation chain of rule ri for area au, as JSON in d->chain. */
static void
chain_of(struct ft_dispatch *d, int ri, int au)
{
	const struct ft_step *steps;
	size_t i, nsteps;
	int n = 0;

	ft_buf_reset(&d->chain);
	steps = ft_rule_chain(d->rules, ri, &nsteps);
	if (!nsteps)
		return;
	ft_buf_addc(&d->chain, '[');
	for (i = 0; i < nsteps; i++) {
		int to = ft_target_unit(d->a, &steps[i].to, au);
		const char *id;

		if (to < 0)
			continue; /* @area with no area */
		id = ft_area_id(d->a, to);
		if (n++)
			ft_buf_addc(&d->chain, ',');
		ft_buf_addf(&d->chain, "{\"after\":%d,\"to\":", steps[i].after);
		ft_json_escape(&d->chain, id, strlen(id));
		ft_buf_addc(&d->chain, '}');
	}
	ft_buf_addc(&d->chain, ']');
	if (!n)
		ft_buf_reset(&d->chain);
}

/*
 * Decides event seq, read into d->f and d->doc: its area, then a case it
 * duplicates, else the rule, unit, deadlines and chain that take it.
 * Stores nothing.  Returns a status for what stops the run.
 */
static int
decide(struct ft_dispatch *d, int64_t seq, struct verdict *v)
{
	const struct fields *f = &d->f;
	struct ft_cond_event re;
	const char *stopped;
	int64_t rby, sby;
	int au, st, isdup, unit = -1;

	memset(v, 0, sizeof(*v));
	au = place(d, &v->h, &v->area, &v->how, &v->fac);
	near_list(d, &v->h);
	ft_buf_reset(&d->chain);
	if ((st = find_duplicate(d, seq, &isdup, &d->dupid, &d->dupunit,
				 &v->duphow)))
		return st;
	if (isdup) {
		v->what = V_DUPLICATE;
		v->unit = d->dupunit.len ? d->dupunit.s : NULL;
		return FT_OK;
	}
	re.category = f->category.len ? f->category.s : NULL;
	re.source = f->source.len ? f->source.s : NULL;
	re.title = f->title.len ? f->title.s : NULL;
	re.text = f->text.len ? f->text.s : NULL;
	re.facility = f->facility.len ? f->facility.s : NULL;
	re.severity = f->severity;
	re.reported = f->reported;
	re.area = au;
	re.json = d->doc.text.s;
	re.jsonlen = d->doc.text.len;
	ft_buf_reset(&d->explain);
	ft_rules_match(d->rules, &re, &v->ri, &unit, &stopped,
		       d->o.explain ? &d->explain : NULL);
	if (stopped) {
		v->what = V_REJECT;
		v->why = stopped;
		return FT_OK;
	}
	if (v->ri < 0) {
		ft_buf_reset(&d->why);
		ft_buf_adds(&d->why,
			    "no rule matches it (add a last rule "
			    "without conditions to catch every event)");
		if (d->o.explain) {
			ft_buf_adds(&d->why, "; rules tried: ");
			ft_buf_add(&d->why, d->explain.s, d->explain.len);
		}
		v->what = V_REJECT;
		v->why = d->why.s;
		v->unplaced = !strcmp(v->how, "none");
		return FT_OK;
	}
	v->what = V_DISPATCH;
	v->unit = ft_area_id(d->a, unit);
	if (v->fac && v->fac->owner && !ft_rule_ignores_owner(d->rules, v->ri))
		v->unit = v->fac->owner;
	ft_rule_deadlines(d->rules, v->ri, f->reported, &rby, &sby);
	if (rby) {
		ft_time_format(rby, v->resp);
		v->respond_by = v->resp;
	}
	if (sby) {
		ft_time_format(sby, v->resol);
		v->resolve_by = v->resol;
	}
	chain_of(d, v->ri, au);
	return FT_OK;
}

/* Prints verdict v (stored) after the record's head in d->line. */
static int
print_verdict(struct ft_dispatch *d, const struct verdict *v)
{
	struct ft_buf *l = &d->line;

	if (d->run.out.no_output)
		return FT_OK;
	if (v->what == V_DUPLICATE) {
		ft_buf_adds(l, ",\"status\":\"duplicate\"");
		ft_json_put_decided(l, "area", v->area);
		ft_json_put_decided(l, "unit", v->unit);
		ft_json_put_decided(l, "duplicate_of", d->dupid.s);
	} else {
		ft_buf_adds(l, ",\"status\":\"dispatched\"");
		ft_json_put_decided(l, "area", v->area);
		ft_json_put_decided(l, "unit", v->unit);
		ft_json_put_decided(l, "rule", ft_rule_name(d->rules, v->ri));
		ft_json_put_number(l, "priority",
				   ft_rule_priority(d->rules, v->ri));
		ft_json_put_decided(l, "respond_by", v->respond_by);
		ft_json_put_decided(l, "resolve_by", v->resolve_by);
	}
	ft_json_put_raw(l, "near_boundary", d->nearb.s, d->nearb.len);
	if (d->o.explain) {
		explain_area(d, &v->h, v->how, v->area);
		if (v->what == V_DUPLICATE) {
			ft_buf_adds(l, ",\"duplicate\":{\"of\":");
			ft_json_escape(l, d->dupid.s, d->dupid.len);
			ft_json_put_decided(l, "by", v->duphow);
			ft_buf_addc(l, '}');
		} else {
			ft_buf_adds(l, ",\"rules\":");
			ft_buf_add(l, d->explain.s, d->explain.len);
			ft_buf_adds(l, ",\"unit\":");
			if (v->fac && v->fac->owner && v->unit == v->fac->owner)
				ft_buf_adds(l, "\"the facility's owner\"");
			else
				ft_buf_adds(l, "\"the rule's\"");
		}
		ft_buf_addc(l, '}');
	}
	ft_buf_adds(l, "}\n");
	ft_buf_add(&d->run.out.buf, l->s, l->len);
	return ft_hold_keep(&d->run.out);
}

/*
 * Reads the event a record from the input names (by its "id" alone: the
 * stored event is the truth) into d->doc: *seq its seq, or 0 when there
 * is nothing to decide (rejected, dispatched already, not new).
 * Returns a status for what stops the run.
 */
static int
fetch(struct ft_dispatch *d, long line, const char *raw, size_t rawlen,
      int64_t *seq)
{
	struct ft_event_record er;
	const char *err;
	size_t pos;
	int st, found;

	*seq = 0;
	if (d->doc.type != '{') {
		reject(d, line, "not a JSON object", raw, rawlen, &d->doc);
		return FT_OK;
	}
	if (!str_member(&d->doc, "id", &d->f.id)) {
		reject(d, line, "field \"id\": missing (ft-dispatch reads the "
		       "events ft-ingest printed)", raw, rawlen, &d->doc);
		return FT_OK;
	}
	if ((st = in_batch(d)))
		return st;
	if ((st = ft_store_event_record(d->store, d->f.id.s, d->f.id.len, &er,
					&found)))
		return st;
	if (!found) {
		reject_id(d, line, "not in the database (load it with "
			  "ft-ingest first)", raw, rawlen, &d->doc);
		return FT_OK;
	}
	if (er.dispatched) {
		d->c.unchanged++;
		return FT_OK;
	}
	if (strcmp(er.status, "new")) {
		d->c.notnew++;
		return FT_OK;
	}
	if (er.doc) {
		ft_json_doc_copy(&d->doc, er.doc);
	} else if (ft_json_parse(&d->doc, er.record, er.reclen, &err, &pos)) {
		reject_id(d, line, err, raw, rawlen, NULL);
		return FT_OK;
	}
	*seq = er.seq;
	return FT_OK;
}

/*
 * One event: read, decide, store, print.  seq: the event's, when the
 * caller read it pending (new, not dispatched) in this transaction, and
 * d->doc is its stored record; 0 when d->doc is a record read from the
 * input, which only names the event by its "id": the event is decided as
 * it is stored, whatever else the record says.  Returns an exit status
 * for failures that stop the run.
 */
static int
dispatch_one(struct ft_dispatch *d, long line, const char *raw, size_t rawlen,
	     int64_t seq)
{
	struct verdict v;
	const char *err;
	int st;

	d->c.read++;
	if (!seq) {
		if ((st = fetch(d, line, raw, rawlen, &seq)) || !seq)
			return st;
	} else if ((st = in_batch(d))) {
		return st;
	}
	if ((err = read_fields(d))) {
		reject_id(d, line, err, raw, rawlen, &d->doc);
		return FT_OK;
	}
	/* Under --no-output there is no line to make. */
	ft_buf_reset(&d->line);
	if (!d->run.out.no_output)
		record_head(&d->line, &d->doc);
	if ((st = decide(d, seq, &v)))
		return st;
	if (v.h.nnear)
		d->c.near++;
	if (v.what == V_REJECT) {
		reject_id(d, line, v.why, raw, rawlen, &d->doc);
		return v.unplaced ? unplaced(d) : FT_OK;
	}
	if (v.what == V_DUPLICATE)
		st = store(d, seq, v.area, v.unit, NULL, 0, NULL, NULL,
			   "duplicate", d->dupid.s);
	else
		st = store(d, seq, v.area, v.unit, ft_rule_name(d->rules, v.ri),
			   ft_rule_priority(d->rules, v.ri), v.respond_by,
			   v.resolve_by, "dispatched", NULL);
	if (st < 0) {
		d->c.unchanged++; /* dispatched meanwhile by another run */
		return FT_OK;
	}
	if (st)
		return st;
	if (v.what == V_DUPLICATE) {
		d->c.duplicates++;
	} else {
		d->c.dispatched++;
		remember(d, seq, v.unit);
	}
	return print_verdict(d, &v);
}

/* ---- the runs ---- */

static void
progress(struct ft_dispatch *d, int done)
{
	static double last;
	double t;

	if (!d->o.progress)
		return;
	t = seconds();
	if (done) {
		fprintf(stderr, "\r\033[K");
		return;
	}
	if (t - last < 0.25)
		return;
	last = t;
	fprintf(stderr, "\r\033[K%s: %ld events", ft_progname, d->c.read);
}

/* One record of the input (ft_run_file()). */
static int
each(void *ctx, const struct ft_item *it)
{
	struct ft_dispatch *d = ctx;
	const char *err;
	size_t pos;
	int st;

	if (it->err) {
		d->c.read++;
		reject(d, it->line, it->err, it->raw, it->rawlen, NULL);
		return FT_OK;
	}
	/* it->doc is ours to re-parse: copy its text for the rules. */
	if (ft_json_parse(&d->doc, it->doc->text.s, it->doc->text.len, &err,
			  &pos)) {
		d->c.read++;
		reject(d, it->line, err, it->raw, it->rawlen, NULL);
		return FT_OK;
	}
	if ((st = dispatch_one(d, it->line, it->raw, it->rawlen, 0)))
		return st;
	progress(d, 0);
	return FT_OK;
}

int
ft_dispatch_file(struct ft_dispatch *d, const char *path)
{
	return ft_run_file(&d->run, path, each);
}

/* ft_dispatch_pending(): one pending event of a page. */
struct pending_page {
	struct ft_dispatch *d;
	struct ft_buf last; /* the reported_at of the last one read */
	int64_t lastseq;
	long n;
};

/*
 * Event seq of a page: its record read into d->doc (parsed 1), or as
 * text to parse (record, reclen).
 */
static int
pending_event(struct ft_dispatch *d, int64_t seq, int parsed,
	      const char *record, size_t reclen)
{
	const char *err;
	size_t pos;
	int st;

	if (parsed) {
		record = d->doc.text.s;
		reclen = d->doc.text.len;
	} else if (ft_json_parse(&d->doc, record, reclen, &err, &pos)) {
		d->c.read++;
		reject(d, (long)seq, err, record, reclen, NULL);
		return FT_OK;
	}
	if ((st = dispatch_one(d, (long)seq, record, reclen, seq)))
		return st;
	progress(d, 0);
	return FT_OK;
}

static int
pending_one(void *arg, const struct ft_event_record *r)
{
	struct pending_page *p = arg;
	struct ft_dispatch *d = p->d;

	p->n++;
	p->lastseq = r->seq;
	ft_buf_reset(&p->last);
	ft_buf_adds(&p->last, r->reported_at);
	if (r->doc)
		ft_json_doc_copy(&d->doc, r->doc);
	return pending_event(d, r->seq, r->doc != NULL, r->record, r->reclen);
}

/* A page the reader ahead read (ft_pending.h), as pending_one() would. */
static int
pending_page_run(struct pending_page *p, struct ft_pending_page *pg)
{
	struct ft_dispatch *d = p->d;
	struct ft_json_doc tmp;
	long i;
	int st;

	for (i = 0; i < pg->n; i++) {
		struct ft_pending_event *e = &pg->ev[i];

		p->n++;
		if (e->parsed) { /* the record is ours: no copy */
			tmp = d->doc;
			d->doc = e->doc;
			e->doc = tmp;
		}
		if ((st = pending_event(d, e->seq, e->parsed, e->text.s,
					e->text.len)))
			return st;
	}
	if (pg->n) {
		p->lastseq = pg->last_seq;
		ft_buf_reset(&p->last);
		ft_buf_add(&p->last, pg->last_at.s, pg->last_at.len);
	}
	return FT_OK;
}

/*
 * In the transaction of a new page: the page the reader ahead read, or
 * NULL when the page is to be read here, as before (the reader is then
 * stopped for the rest of the run: see ft_pending.h).  The reader starts
 * in the first page's transaction, where *ver is noted.  Returns a status.
 */
static int
page_ahead(struct pending_page *p, struct ft_pending **ahead, int first,
	   int64_t *ver, struct ft_pending_page **pg)
{
	struct ft_dispatch *d = p->d;
	int64_t v;
	int st;

	*pg = NULL;
	if (!*ahead && !first)
		return FT_OK;
	if ((st = ft_store_data_version(d->store, &v)))
		return st;
	if (first) {
		*ver = v;
		*ahead = ft_pending_start(d->db, p->last.s, p->lastseq,
					  (long)d->o.batch, d->rules_digest);
		if (!*ahead)
			return FT_OK;
	}
	if (v == *ver) {
		*pg = ft_pending_next(*ahead);
		if (!(*pg)->failed)
			return FT_OK;
		*pg = NULL;
	}
	ft_pending_stop(*ahead); /* another writer, or a failed read */
	*ahead = NULL;
	return FT_OK;
}

int
ft_dispatch_pending(struct ft_dispatch *d)
{
	struct pending_page p = { d, FT_BUF_INIT, 0, 0 };
	struct ft_pending *ahead = NULL;
	struct ft_pending_page *pg;
	int64_t ver = 0;
	/* A dry run's writes stay in one transaction the reader would not
	 * see; a page held in memory is bounded. */
	int first = READ_AHEAD && !d->db->dry && !d->run.dry_run &&
		    d->o.batch <= PENDING_AHEAD_MAX;
	int st = FT_OK;

	d->run.fname = "pending";
	do {
		p.n = 0;
		/* A page at a time, each page under its own transaction: the
		 * query restarts after the last event seen. */
		if ((st = ft_run_begin_page(&d->run)) ||
		    (st = page_ahead(&p, &ahead, first, &ver, &pg)))
			break;
		first = 0;
		if (pg)
			st = pending_page_run(&p, pg);
		else
			st = ft_store_pending_each(d->store, p.last.s,
						   p.lastseq, (long)d->o.batch,
						   d->rules_digest, pending_one,
						   &p);
		if (!st)
			st = ft_run_end(&d->run);
		if (pg)
			ft_pending_done(ahead);
	} while (!st && p.n == (long)d->o.batch);
	if (st)
		ft_run_drop(&d->run);
	ft_pending_stop(ahead);
	ft_buf_release(&p.last);
	return st;
}

/* Reads step k ({"after", "to"}) of the stored chain. */
static int
chain_step(struct ft_dispatch *d, const char *chain, int k, int *after,
	   struct ft_buf *to)
{
	const struct ft_json_member *m;
	struct ft_json_doc *doc = &d->doc;
	const char *err, *p;
	size_t pos, depth = 0;
	int i = 0;

	/* The chain is ours (written by store()): [{"after":N,"to":"U"},..]. */
	for (p = chain; *p; p++) {
		if (*p == '{' && depth++ == 0 && i++ == k) {
			const char *q = p;

			while (*q && *q != '}')
				q++;
			if (ft_json_parse(doc, p, (size_t)(q - p + 1), &err,
					  &pos))
				return -1;
			m = ft_json_get(doc, "after");
			if (!m)
				return -1;
			*after = atoi(doc->text.s + m->val);
			if (!str_member(doc, "to", to))
				return -1;
			return 0;
		}
		if (*p == '}')
			depth--;
	}
	return -1;
}

/* An overdue case, copied out of the query (its updates change its rows). */
struct overdue {
	int64_t seq;
	int escalation;
	char *col[8];	/* id, unit, status, respond_by, resolve_by, chain,
			 * record, area; "" for NULL */
};
enum { O_ID, O_UNIT, O_STATUS, O_RESPOND, O_RESOLVE, O_CHAIN, O_RECORD,
       O_AREA };

/*
 * Fires every step of case o that is due: the missed deadline is the
 * response while the case is not accepted, else the resolution.  Returns
 * an exit status.
 */
static int
escalate_one(struct ft_dispatch *d, const struct overdue *o,
	     struct ft_buf *to, struct ft_buf *unit)
{
	const char *which, *when, *err;
	char mt[FT_TIME_LEN];
	int64_t missed;
	size_t pos;
	int k, after, st, stored;
	int respond = strcmp(o->col[O_STATUS], "accepted") &&
		      *o->col[O_RESPOND] &&
		      strcmp(o->col[O_RESPOND], d->now) <= 0;

	which = respond ? "respond_by" : "resolve_by";
	when = o->col[respond ? O_RESPOND : O_RESOLVE];
	if (ft_time_parse(when, strlen(when), &missed, &err))
		return FT_OK;
	ft_time_format(missed, mt);
	ft_buf_reset(unit);
	ft_buf_adds(unit, o->col[O_UNIT]);
	for (k = o->escalation; !chain_step(d, o->col[O_CHAIN], k, &after, to);
	     k++) {
		struct ft_hist_entry e = { 0 };

		if (d->now_t < missed + (int64_t)after * 60)
			break;
		if ((st = ft_store_event_escalate(d->store, o->seq, to->s,
						  to->len, k, &stored)))
			return st;
		if (!stored)
			break;	/* another run did */
		ft_buf_reset(&d->detail);
		ft_buf_adds(&d->detail, "{\"step\":");
		ft_json_number(&d->detail, k + 1);
		ft_json_put_decided(&d->detail, "from_unit",
				    unit->len ? unit->s : NULL);
		ft_json_put_decided(&d->detail, "to_unit", to->s);
		ft_json_put_decided(&d->detail, "missed", which);
		ft_json_put_decided(&d->detail, "deadline", mt);
		ft_buf_adds(&d->detail, ",\"after\":");
		ft_json_number(&d->detail, after);
		ft_buf_addc(&d->detail, '}');
		e.kind = "event";
		e.id = o->col[O_ID];
		e.idlen = strlen(o->col[O_ID]);
		e.at = d->now;
		e.action = "escalate";
		e.from = e.to = o->col[O_STATUS];
		e.detail = d->detail.s;
		e.detaillen = d->detail.len;
		if ((st = ft_hist_add(&d->hist, &e)))
			return st;
		/* The output: the event as stored, with this step. */
		if (ft_json_parse(&d->doc, o->col[O_RECORD],
				  strlen(o->col[O_RECORD]), &err, &pos) == 0) {
			ft_buf_reset(&d->line);
			record_head(&d->line, &d->doc);
			ft_json_put_decided(&d->line, "status",
					    o->col[O_STATUS]);
			ft_json_put_decided(&d->line, "area",
					    *o->col[O_AREA] ? o->col[O_AREA] :
							      NULL);
			ft_json_put_decided(&d->line, "unit", to->s);
			ft_buf_adds(&d->line, ",\"escalation\":");
			ft_json_number(&d->line, k + 1);
			ft_json_put_decided(&d->line, "escalated_from",
					    unit->len ? unit->s : NULL);
			ft_json_put_decided(&d->line, "missed", which);
			ft_buf_adds(&d->line, "}\n");
			ft_buf_add(&d->run.out.buf, d->line.s, d->line.len);
			if ((st = ft_hold_keep(&d->run.out)))
				return st;
		}
		ft_buf_reset(unit);
		ft_buf_add(unit, to->s, to->len);
		d->c.escalated++;
	}
	return FT_OK;
}

/* ft_dispatch_escalate(): a page of overdue cases, copied. */
struct overdue_page {
	struct overdue *o;
	long n;
	int64_t lastseq;
};

static int
overdue_one(void *arg, const struct ft_overdue_row *r)
{
	struct overdue_page *p = arg;
	struct overdue *o = &p->o[p->n++];
	const char *v[8] = { r->id,	    r->unit,  r->status, r->respond_by,
			     r->resolve_by, r->chain, r->record, r->area };
	int c;

	o->seq = p->lastseq = r->seq;
	o->escalation = r->escalation;
	for (c = 0; c < 8; c++)
		o->col[c] = ft_xstrdup(v[c]);
	return FT_OK;
}

int
ft_dispatch_escalate(struct ft_dispatch *d)
{
	struct ft_buf to = FT_BUF_INIT, unit = FT_BUF_INIT;
	struct overdue_page p = { NULL, 0, 0 };
	int st = FT_OK, c;
	long i;

	p.o = ft_xmalloc(FT_STORE_OVERDUE_PAGE * sizeof(*p.o));
	d->run.fname = "escalate";
	do {
		p.n = 0;
		if ((st = ft_run_begin_page(&d->run)))
			break;
		st = ft_store_overdue_each(d->store, d->now, p.lastseq,
					   overdue_one, &p);
		for (i = 0; i < p.n; i++) {
			if (!st)
				st = escalate_one(d, &p.o[i], &to, &unit);
			for (c = 0; c < 8; c++)
				free(p.o[i].col[c]);
		}
		if (!st)
			st = ft_run_end(&d->run);
	} while (!st && p.n == FT_STORE_OVERDUE_PAGE);
	if (st)
		ft_run_drop(&d->run);
	free(p.o);
	ft_buf_release(&to);
	ft_buf_release(&unit);
	return st;
}

int
ft_dispatch_finish(struct ft_dispatch *d)
{
	int st = ft_run_finish(&d->run);

	ft_db_ckpt_stop(&d->ck);

	progress(d, 1);
	st = ft_exit_worst(st, ft_reject_close(&d->rej));
	if (!d->o.quiet) {
		if (!d->rules)
			ft_warn("%ld escalation step%s%s (%.2f s)",
				d->c.escalated, d->c.escalated == 1 ? "" : "s",
				d->o.dry_run ? ", dry run: nothing stored" :
				"", seconds() - d->t0);
		else
			ft_warn("%ld event%s: %ld dispatched, %ld "
				"duplicates, %ld unchanged, %ld not new, %ld "
				"rejected; %ld near a boundary%s (%ld "
				"transaction%s, %.2f s)",
				d->c.read, d->c.read == 1 ? "" : "s",
				d->c.dispatched, d->c.duplicates,
				d->c.unchanged, d->c.notnew, d->c.rejected,
				d->c.near,
				d->o.dry_run ? "; dry run: nothing "
					       "stored" :
					       "",
				d->run.commits, d->run.commits == 1 ? "" : "s",
				seconds() - d->t0);
	}
	if (!st && d->c.rejected)
		st = FT_REJECTED;
	return st;
}
