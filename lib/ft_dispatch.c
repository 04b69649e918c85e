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
#include "ft_reject.h"
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
	const char *fname;
	long in_batch;
	struct counts c;
	struct counts kept;	/* c as of the last commit */
	struct fields f;
	struct ft_json_doc doc;
	struct ft_hold out;	/* the batch's output, printed on commit */
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
	ft_hold_init(&d->out, o->no_output);
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
	ft_hold_release(&d->out);
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
 * Drops the batch: rolls it back, and nothing of it is printed or
 * counted, but the events read and the records rejected (they are in the
 * rejects file already).
 */
static void
drop_batch(struct ft_dispatch *d)
{
	long read = d->c.read, rejected = d->c.rejected;

	ft_db_rollback(d->db);
	ft_hold_drop(&d->out);
	d->c = d->kept;
	d->c.read = read;
	d->c.rejected = rejected;
	d->in_batch = 0;
}

/*
 * Ends the batch: commits it, then prints it; a batch that does not
 * commit is dropped.  A dry run keeps its one transaction to the end of
 * the run, so that every decision sees the ones before it, as in a real
 * run, and ft_dispatch_finish() rolls it back.
 */
static int
end_batch(struct ft_dispatch *d)
{
	int st = FT_OK;

	if (d->db->in_tx && !d->o.dry_run)
		st = ft_db_commit(d->db);
	d->in_batch = 0;
	if (st) {
		drop_batch(d);
		return st;
	}
	d->kept = d->c;
	return ft_hold_print(&d->out);
}

/*
 * Counts one more event into the batch, in a write transaction, with the
 * memory of the open cases brought up to date with that transaction.
 */
static int
in_batch(struct ft_dispatch *d)
{
	int st;

	if (d->in_batch >= (long)d->o.batch && (st = end_batch(d)))
		return st;
	d->in_batch++;
	if ((st = ft_db_begin_write(d->db)))
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
	ft_reject_add(&d->rej, d->fname, line, reason, raw, rawlen,
		      doc ? doc->text.s : NULL, doc ? doc->text.len : 0);
}

/* Rejects the event at hand, named by its id (d->f.id). */
static void
reject_id(struct ft_dispatch *d, long line, const char *reason,
	  const char *raw, size_t rawlen, const struct ft_json_doc *doc)
{
	d->c.rejected++;
	ft_reject_add_id(&d->rej, d->fname, line, d->f.id.s, d->f.id.len,
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

static void
add_str(struct ft_buf *b, const char *key, const char *v)
{
	ft_buf_adds(b, ",\"");
	ft_buf_adds(b, key);
	ft_buf_adds(b, "\":");
	if (v)
		ft_json_escape(b, v, strlen(v));
	else
		ft_buf_adds(b, "null");
}

/* Appends ,"key":json when json (a JSON text) is not empty. */
static void
add_raw(struct ft_buf *b, const char *key, const struct ft_buf *json)
{
	if (!json->len)
		return;
	ft_buf_adds(b, ",\"");
	ft_buf_adds(b, key);
	ft_buf_adds(b, "\":");
	ft_buf_add(b, json->s, json->len);
}

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
	add_str(b, "area", name);
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
	add_str(dt, "unit", unit);
	if (dup) {
		add_str(dt, "duplicate_of", dup);
	} else {
		add_str(dt, "rule", rule);
		ft_buf_adds(dt, ",\"priority\":");
		ft_json_number(dt, priority);
		add_str(dt, "respond_by", resp);
		add_str(dt, "resolve_by", resol);
	}
	add_raw(dt, "near_boundary", &d->nearb);
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

/*
 * Decides one event and stores the decision.  seq: the event's, when the
 * caller read it pending (new, not dispatched) in this transaction, and
 * d->doc is its stored record; 0 when d->doc is a record read from the
 * input, which only names the event by its "id": the event is decided as
 * it is stored, whatever else the record says.  Returns an exit status
 * for failures that stop the run.
 */
static int
dispatch_one(struct ft_dispatch *d, long line, const char *raw,
	     size_t rawlen, int64_t seq)
{
	struct fields *f = &d->f;
	struct ft_area_hit h;
	struct ft_rule_event re;
	struct ft_buf *dupid = &d->dupid, *dupunit = &d->dupunit;
	const struct ft_facility *fac;
	const char *err, *areaname, *how, *duphow = NULL, *unitname = NULL;
	const char *stopped;
	char resp[FT_TIME_LEN], resol[FT_TIME_LEN];
	int64_t rby, sby;
	struct ft_event_record er;
	int st = FT_OK, au, ri = -1, unit = -1, isdup, found;
	size_t i, nsteps, pos;
	const struct ft_step *steps;

	d->c.read++;
	if (seq)
		goto known;
	if (d->doc.type != '{') {
		reject(d, line, "not a JSON object", raw, rawlen, &d->doc);
		return FT_OK;
	}
	if (!str_member(&d->doc, "id", &f->id)) {
		reject(d, line, "field \"id\": missing (ft-dispatch reads the "
		       "events ft-ingest printed)", raw, rawlen, &d->doc);
		return FT_OK;
	}
	if ((st = in_batch(d)))
		return st;
	if ((st = ft_store_event_record(d->store, f->id.s, f->id.len, &er,
					&found)))
		return st;
	if (!found) {
		reject_id(d, line, "not in the database (load it with "
			  "ft-ingest first)", raw, rawlen, &d->doc);
		return FT_OK;
	}
	seq = er.seq;
	if (er.dispatched) {
		d->c.unchanged++;
		return FT_OK;
	}
	if (strcmp(er.status, "new")) {
		d->c.notnew++;
		return FT_OK;
	}
	/* The stored event is the truth: the input only named it. */
	if (ft_json_parse(&d->doc, er.record, er.reclen, &err, &pos)) {
		reject_id(d, line, err, raw, rawlen, NULL);
		return FT_OK;
	}
	goto decide;
known:
	if ((st = in_batch(d)))
		return st;
decide:
	if ((err = read_fields(d))) {
		reject_id(d, line, err, raw, rawlen, &d->doc);
		return FT_OK;
	}
	au = place(d, &h, &areaname, &how, &fac);
	ft_buf_reset(&d->nearb);
	if (h.nnear) {
		ft_buf_addc(&d->nearb, '[');
		for (i = 0; i < h.nnear; i++) {
			const char *id = ft_area_id(d->a, h.near[i]);

			if (i)
				ft_buf_addc(&d->nearb, ',');
			ft_json_escape(&d->nearb, id, strlen(id));
		}
		ft_buf_addc(&d->nearb, ']');
		d->c.near++;
	}
	ft_buf_reset(&d->line);
	record_head(&d->line, &d->doc);
	ft_buf_reset(&d->chain);

	if ((st = find_duplicate(d, seq, &isdup, dupid, dupunit, &duphow)))
		goto out;
	if (isdup) {
		const char *du = dupunit->len ? dupunit->s : NULL;

		st = store(d, seq, areaname, du, NULL, 0, NULL, NULL,
			   "duplicate", dupid->s);
		if (st < 0) {
			d->c.unchanged++;
			st = FT_OK;
			goto out;
		}
		if (st)
			goto out;
		d->c.duplicates++;
		ft_buf_adds(&d->line, ",\"status\":\"duplicate\"");
		add_str(&d->line, "area", areaname);
		add_str(&d->line, "unit", du);
		add_str(&d->line, "duplicate_of", dupid->s);
		add_raw(&d->line, "near_boundary", &d->nearb);
		if (d->o.explain) {
			explain_area(d, &h, how, areaname);
			ft_buf_adds(&d->line, ",\"duplicate\":{\"of\":");
			ft_json_escape(&d->line, dupid->s, dupid->len);
			add_str(&d->line, "by", duphow);
			ft_buf_adds(&d->line, "}}");
		}
		ft_buf_adds(&d->line, "}\n");
		ft_buf_add(&d->out.buf, d->line.s, d->line.len);
		st = ft_hold_keep(&d->out);
		goto out;
	}

	re.category = f->category.len ? f->category.s : NULL;
	re.source = f->source.len ? f->source.s : NULL;
	re.title = f->title.len ? f->title.s : NULL;
	re.text = f->text.len ? f->text.s : NULL;
	re.severity = f->severity;
	re.reported = f->reported;
	re.area = au;
	re.json = d->doc.text.s;
	re.jsonlen = d->doc.text.len;
	ft_buf_reset(&d->explain);
	ft_rules_match(d->rules, &re, &ri, &unit, &stopped,
		       d->o.explain ? &d->explain : NULL);
	if (stopped) {
		reject_id(d, line, stopped, raw, rawlen, &d->doc);
		goto out;
	}
	if (ri < 0) {
		ft_buf_reset(&d->why);
		ft_buf_adds(&d->why, "no rule matches it (add a last rule "
			    "without conditions to catch every event)");
		if (d->o.explain) {
			ft_buf_adds(&d->why, "; rules tried: ");
			ft_buf_add(&d->why, d->explain.s, d->explain.len);
		}
		reject_id(d, line, d->why.s, raw, rawlen, &d->doc);
		if (!strcmp(how, "none"))
			st = unplaced(d);
		goto out;
	}
	unitname = ft_area_id(d->a, unit);
	if (fac && fac->owner && !ft_rule_ignores_owner(d->rules, ri))
		unitname = fac->owner;
	ft_rule_deadlines(d->rules, ri, f->reported, &rby, &sby);
	if (rby)
		ft_time_format(rby, resp);
	if (sby)
		ft_time_format(sby, resol);
	steps = ft_rule_chain(d->rules, ri, &nsteps);
	if (nsteps) {
		int n = 0;

		ft_buf_addc(&d->chain, '[');
		for (i = 0; i < nsteps; i++) {
			int to = ft_target_unit(d->a, &steps[i].to, au);
			const char *id;

			if (to < 0)
				continue;	/* @area with no area */
			id = ft_area_id(d->a, to);
			if (n++)
				ft_buf_addc(&d->chain, ',');
			ft_buf_addf(&d->chain, "{\"after\":%d,\"to\":",
				    steps[i].after);
			ft_json_escape(&d->chain, id, strlen(id));
			ft_buf_addc(&d->chain, '}');
		}
		ft_buf_addc(&d->chain, ']');
		if (!n)
			ft_buf_reset(&d->chain);
	}
	st = store(d, seq, areaname, unitname, ft_rule_name(d->rules, ri),
		   ft_rule_priority(d->rules, ri), rby ? resp : NULL,
		   sby ? resol : NULL, "dispatched", NULL);
	if (st < 0) {
		d->c.unchanged++;
		st = FT_OK;
		goto out;
	}
	if (st)
		goto out;
	d->c.dispatched++;
	remember(d, seq, unitname);
	ft_buf_adds(&d->line, ",\"status\":\"dispatched\"");
	add_str(&d->line, "area", areaname);
	add_str(&d->line, "unit", unitname);
	add_str(&d->line, "rule", ft_rule_name(d->rules, ri));
	ft_buf_adds(&d->line, ",\"priority\":");
	ft_json_number(&d->line, ft_rule_priority(d->rules, ri));
	add_str(&d->line, "respond_by", rby ? resp : NULL);
	add_str(&d->line, "resolve_by", sby ? resol : NULL);
	add_raw(&d->line, "near_boundary", &d->nearb);
	if (d->o.explain) {
		explain_area(d, &h, how, areaname);
		ft_buf_adds(&d->line, ",\"rules\":");
		ft_buf_add(&d->line, d->explain.s, d->explain.len);
		ft_buf_adds(&d->line, ",\"unit\":");
		if (fac && fac->owner && unitname == fac->owner)
			ft_buf_adds(&d->line, "\"the facility's owner\"");
		else
			ft_buf_adds(&d->line, "\"the rule's\"");
		ft_buf_addc(&d->line, '}');
	}
	ft_buf_adds(&d->line, "}\n");
	ft_buf_add(&d->out.buf, d->line.s, d->line.len);
	st = ft_hold_keep(&d->out);
out:
	return st;
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

/* The input waits: what is decided is stored and printed first. */
static int
on_idle(void *ctx)
{
	struct ft_dispatch *d = ctx;

	return d->in_batch ? end_batch(d) : FT_OK;
}

int
ft_dispatch_file(struct ft_dispatch *d, const char *path)
{
	struct ft_input_opts io = { 0 };
	struct ft_input *in;
	struct ft_item it;
	int st, rc;

	if ((st = ft_input_open(&in, path, &io))) {
		ft_input_close(in);
		return st;
	}
	ft_input_set_idle(in, on_idle, d);
	d->fname = ft_input_name(in);
	while ((rc = ft_input_next(in, &it)) == 1) {
		const char *err;
		size_t pos;

		if (it.err) {
			d->c.read++;
			reject(d, it.line, it.err, it.raw, it.rawlen, NULL);
			continue;
		}
		/* it.doc is ours to re-parse: copy its text for the rules. */
		if (ft_json_parse(&d->doc, it.doc->text.s, it.doc->text.len,
				  &err, &pos)) {
			d->c.read++;
			reject(d, it.line, err, it.raw, it.rawlen, NULL);
			continue;
		}
		if ((st = dispatch_one(d, it.line, it.raw, it.rawlen, 0)))
			break;
		progress(d, 0);
	}
	if (!st && rc > 1)
		st = rc;
	if (!st)
		st = end_batch(d);
	else
		drop_batch(d);
	ft_input_close(in);
	return st;
}

/* ft_dispatch_pending(): one pending event of a page. */
struct pending_page {
	struct ft_dispatch *d;
	struct ft_buf last; /* the reported_at of the last one read */
	int64_t lastseq;
	long n;
};

static int
pending_one(void *arg, const struct ft_event_record *r)
{
	struct pending_page *p = arg;
	struct ft_dispatch *d = p->d;
	const char *err;
	size_t pos;
	int st;

	p->n++;
	p->lastseq = r->seq;
	ft_buf_reset(&p->last);
	ft_buf_adds(&p->last, r->reported_at);
	if (ft_json_parse(&d->doc, r->record, r->reclen, &err, &pos)) {
		d->c.read++;
		reject(d, (long)r->seq, err, r->record, r->reclen, NULL);
		return FT_OK;
	}
	if ((st = dispatch_one(d, (long)r->seq, r->record, r->reclen, r->seq)))
		return st;
	progress(d, 0);
	return FT_OK;
}

int
ft_dispatch_pending(struct ft_dispatch *d)
{
	struct pending_page p = { d, FT_BUF_INIT, 0, 0 };
	int st = FT_OK;

	d->fname = "pending";
	do {
		p.n = 0;
		/* A page at a time, each page under its own transaction: the
		 * query restarts after the last event seen. */
		if ((st = ft_db_begin_write(d->db)))
			break;
		d->in_batch = 0;
		st = ft_store_pending_each(d->store, p.last.s, p.lastseq,
					   (long)d->o.batch, d->rules_digest,
					   pending_one, &p);
		if (!st) {
			/* in_batch() must not split the page. */
			d->in_batch = 0;
			st = end_batch(d);
		}
	} while (!st && p.n == (long)d->o.batch);
	if (st)
		drop_batch(d);
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
		add_str(&d->detail, "from_unit", unit->len ? unit->s : NULL);
		add_str(&d->detail, "to_unit", to->s);
		add_str(&d->detail, "missed", which);
		add_str(&d->detail, "deadline", mt);
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
			add_str(&d->line, "status", o->col[O_STATUS]);
			add_str(&d->line, "area", *o->col[O_AREA] ?
				o->col[O_AREA] : NULL);
			add_str(&d->line, "unit", to->s);
			ft_buf_adds(&d->line, ",\"escalation\":");
			ft_json_number(&d->line, k + 1);
			add_str(&d->line, "escalated_from",
				unit->len ? unit->s : NULL);
			add_str(&d->line, "missed", which);
			ft_buf_adds(&d->line, "}\n");
			ft_buf_add(&d->out.buf, d->line.s, d->line.len);
			if ((st = ft_hold_keep(&d->out)))
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
	d->fname = "escalate";
	do {
		p.n = 0;
		if ((st = ft_db_begin_write(d->db)))
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
			st = end_batch(d);
	} while (!st && p.n == FT_STORE_OVERDUE_PAGE);
	if (st)
		drop_batch(d);
	free(p.o);
	ft_buf_release(&to);
	ft_buf_release(&unit);
	return st;
}

int
ft_dispatch_finish(struct ft_dispatch *d)
{
	int st = end_batch(d);

	ft_db_ckpt_stop(&d->ck);
	if (d->o.dry_run)
		ft_db_rollback(d->db);

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
				"rejected; %ld near a boundary%s (%.2f s)",
				d->c.read, d->c.read == 1 ? "" : "s",
				d->c.dispatched, d->c.duplicates,
				d->c.unchanged, d->c.notnew, d->c.rejected,
				d->c.near, d->o.dry_run ? "; dry run: nothing "
				"stored" : "", seconds() - d->t0);
	}
	if (!st && d->c.rejected)
		st = FT_REJECTED;
	return st;
}
