/*
 * cli/regress.c — `tcplens diff` and `tcplens check` (see regress.h):
 * argument parsing, the capture corpus walk, the summary table.
 */
#include "regress.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipeline/pipeline.h"
#include "report/report.h"
#include "report/baseline_run.h"
#include "report/report_digest.h"

#define MAX_TOLERANCES 32
#define CHECK_ITEMS 3        /* listed under a regressed capture by check */

struct regress_opts {
	struct baseline_config cfg;
	bool json, update, verbose;
	const char *reports;     /* check: where the saved reports are */
};

/* snprintf for messages and paths, where a cut is acceptable or checked
 * (vsnprintf: no truncation warnings). Returns -1 when cut. */
__attribute__((format(printf, 3, 4))) static int fmt(char *buf, size_t len, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int n = vsnprintf(buf, len, f, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

bool regress_is_command(const char *word)
{
	return !strcmp(word, "diff") || !strcmp(word, "check");
}

int regress_tolerance_check(const char *spec, char *err, size_t errlen)
{
	struct baseline_config c;
	baseline_config_init(&c);
	return baseline_tolerance_parse(&c, spec, err, errlen);
}

static void usage(FILE *out)
{
	fputs("Usage: tcplens diff BASELINE.json CURRENT.json [--tolerance NAME=VALUE]... [--format text|json]\n"
	      "       tcplens check DIR [--update] [--reports SUBDIR] [--tolerance NAME=VALUE]... [-v]\n"
	      "                         [--format text|json]\n"
	      "See tcplens --help for the tolerances.\n",
	      out);
}

/* Options shared by diff and check; argv[0] is the command. Returns the
 * index of the first operand, -1 on an error (message printed), -2 after
 * printing the help. */
static int parse(int argc, char **argv, struct regress_opts *o)
{
	static const struct option longopts[] = {
		{"tolerance", required_argument, NULL, 't'},
		{"format", required_argument, NULL, 'f'},
		{"update", no_argument, NULL, 'u'},
		{"reports", required_argument, NULL, 'R'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{0, 0, 0, 0},
	};
	char err[256];
	memset(o, 0, sizeof(*o));
	baseline_config_init(&o->cfg);
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (baseline_tolerance_parse(&o->cfg, optarg, err, sizeof(err)) < 0) {
				fprintf(stderr, "tcplens: %s\n", err);
				return -1;
			}
			break;
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				fprintf(stderr, "tcplens %s: --format is text or json, not '%s'\n", argv[0], optarg);
				return -1;
			}
			o->json = !strcmp(optarg, "json");
			break;
		case 'u':
			o->update = true;
			break;
		case 'R':
			o->reports = optarg;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			return -2;
		default:
			fprintf(stderr, "tcplens %s: unknown option or missing argument '%s'\n", argv[0],
				argv[optind - 1]);
			usage(stderr);
			return -1;
		}
	}
	return optind;
}

static int cmd_diff(int argc, char **argv)
{
	struct regress_opts o;
	int first = parse(argc, argv, &o);
	if (first < 0)
		return first == -2 ? BASELINE_OK : BASELINE_ERROR;
	if (argc - first != 2 || o.update || o.reports) {
		fprintf(stderr, "tcplens diff: wants two reports: BASELINE.json CURRENT.json\n");
		usage(stderr);
		return BASELINE_ERROR;
	}
	struct report_digest a, b;
	char err[512];
	int status = BASELINE_ERROR;
	memset(&b, 0, sizeof(b));
	if (report_digest_load(&a, argv[first], err, sizeof(err)) < 0 ||
	    report_digest_load(&b, argv[first + 1], err, sizeof(err)) < 0)
		fprintf(stderr, "tcplens diff: %s\n", err);
	else
		status = baseline_compare_print(&a, &b, &o.cfg, o.json, stdout);
	report_digest_free(&a);
	report_digest_free(&b);
	return status;
}

/* ---- check DIR ---- */

static bool is_capture(const char *name)
{
	size_t n = strlen(name);
	if (name[0] == '.')
		return false;
	return (n > 5 && !strcmp(name + n - 5, ".pcap")) || (n > 7 && !strcmp(name + n - 7, ".pcapng"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the captures in dir. NULL with *n = 0 on an empty dir;
 * -1 in *n when dir cannot be read. */
static char **list_captures(const char *dir, int *n)
{
	DIR *d = opendir(dir);
	*n = 0;
	if (!d) {
		*n = -1;
		return NULL;
	}
	char **v = NULL;
	size_t cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!is_capture(e->d_name))
			continue;
		if ((size_t)*n == cap) {
			cap = cap ? cap * 2 : 32;
			char **nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		if (!(v[*n] = strdup(e->d_name)))
			break;
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(v, (size_t)*n, sizeof(*v), cmp_str);
	return v;
}

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Where the saved reports are: --reports (relative to DIR), else
 * DIR/expected when it exists, else DIR itself. */
static void reports_dir(const char *dir, const char *opt, char *buf, size_t len)
{
	char cand[4096];
	if (opt) {
		if (opt[0] == '/')
			fmt(buf, len, "%s", opt);
		else
			fmt(buf, len, "%s/%s", dir, opt);
		return;
	}
	fmt(cand, sizeof(cand), "%s/expected", dir);
	fmt(buf, len, "%s", is_dir(cand) ? cand : dir);
}

/* Copy the report in tmp to path through path.tmp and a rename, so a
 * saved report is never half written. */
static int save_report(FILE *tmp, const char *path, char *err, size_t errlen)
{
	char part[4200];
	fmt(part, sizeof(part), "%s.tmp", path);
	FILE *o = fopen(part, "w");
	if (!o) {
		fmt(err, errlen, "cannot write %s: %s", part, strerror(errno));
		return -1;
	}
	char buf[65536];
	size_t n;
	int rc = fflush(tmp) == 0 && fseek(tmp, 0, SEEK_SET) == 0 ? 0 : -1;
	while (!rc && (n = fread(buf, 1, sizeof(buf), tmp)) > 0)
		if (fwrite(buf, 1, n, o) != n)
			rc = -1;
	if (fclose(o) != 0 || ferror(tmp))
		rc = -1;
	if (!rc && rename(part, path) < 0)
		rc = -1;
	if (rc < 0) {
		fmt(err, errlen, "cannot write %s: %s", path, strerror(errno));
		unlink(part);
	}
	return rc;
}

struct check_totals {
	int ok, regressed, errors, updated;
	bool first_json;
};

static uint64_t events_of(const struct report_digest *d)
{
	uint64_t n = 0;
	for (int k = 0; k < FIND_COUNT; k++)
		n += d->kind_count[k];
	return n;
}

static void row_json_begin(struct check_totals *t, const char *cap, const char *rep)
{
	fputs(t->first_json ? "\n" : ",\n", stdout);
	t->first_json = false;
	json_t *c = json_string(cap), *r = json_string(rep);
	char *cs = json_dumps(c, JSON_ENCODE_ANY), *rs = json_dumps(r, JSON_ENCODE_ANY);
	printf("{\"capture\":%s,\"report\":%s", cs ? cs : "null", rs ? rs : "null");
	free(cs);
	free(rs);
	json_decref(c);
	json_decref(r);
}

static void row_error(struct check_totals *t, const struct regress_opts *o, const char *cap,
		      const char *rep, const char *msg)
{
	t->errors++;
	if (o->json) {
		row_json_begin(t, cap, rep);
		json_t *m = json_string(msg);
		char *ms = json_dumps(m, JSON_ENCODE_ANY);
		printf(",\"result\":\"error\",\"error\":%s}", ms ? ms : "null");
		free(ms);
		json_decref(m);
	} else {
		printf("%-34s %6s %7s  ERROR: %s\n", cap, "", "", msg);
	}
}

/* One capture of the corpus. */
static void check_one(const struct regress_opts *o, struct check_totals *t, const char *cap,
		      const char *rep)
{
	char err[1024];
	FILE *tmp = tmpfile();
	if (!tmp) {
		row_error(t, o, cap, rep, "cannot create a temporary file (set TMPDIR)");
		return;
	}
	struct report_digest old, cur;
	memset(&old, 0, sizeof(old));
	memset(&cur, 0, sizeof(cur));
	struct pipeline_config pc;
	pipeline_config_init(&pc);
	pc.read_file = cap;
	pc.out = tmp;
	pc.format = REPORT_JSON;
	pc.quiet = 1;          /* damaged frames are counted in the report */
	pc.err = err;
	pc.errlen = sizeof(err);
	pc.tui = 0;
	if (pipeline_run(&pc) != 0) {
		row_error(t, o, cap, rep, err);
		goto out;
	}
	if (o->update) {
		if (save_report(tmp, rep, err, sizeof(err)) < 0) {
			row_error(t, o, cap, rep, err);
		} else {
			t->updated++;
			if (o->json) {
				row_json_begin(t, cap, rep);
				printf(",\"result\":\"updated\"}");
			} else {
				printf("%-34s %6s %7s  updated %s\n", cap, "", "", rep);
			}
		}
		goto out;
	}
	if (access(rep, F_OK) != 0) {
		fmt(err, sizeof(err), "no saved report %s (tcplens check --update writes it)", rep);
		row_error(t, o, cap, rep, err);
		goto out;
	}
	if (report_digest_load(&old, rep, err, sizeof(err)) < 0 ||
	    report_digest_load_stream(&cur, tmp, cap, err, sizeof(err)) < 0) {
		row_error(t, o, cap, rep, err);
		goto out;
	}
	struct baseline_result res;
	if (baseline_compare(&old, &cur, &o->cfg, &res) < 0) {
		row_error(t, o, cap, rep, "out of memory");
		goto out;
	}
	if (res.regressions)
		t->regressed++;
	else
		t->ok++;
	if (o->json) {
		row_json_begin(t, cap, rep);
		printf(",\"result\":\"%s\",\"flows\":%llu,\"events\":%llu,\"regressions\":%zu,\"worst\":[",
		       res.regressions ? "regressed" : "ok", (unsigned long long)cur.flows_total,
		       (unsigned long long)events_of(&cur), res.regressions);
		for (size_t i = 0; i < res.regressions && i < CHECK_ITEMS; i++) {
			json_t *w = json_string(res.items[i].what);
			char *ws = json_dumps(w, JSON_ENCODE_ANY);
			printf("%s%s", i ? "," : "", ws ? ws : "null");
			free(ws);
			json_decref(w);
		}
		printf("]}");
	} else {
		printf("%-34s %6llu %7llu  %s\n", cap, (unsigned long long)cur.flows_total,
		       (unsigned long long)events_of(&cur), res.regressions ? "REGRESSED" : "ok");
		if (res.regressions) {
			if (o->verbose)
				baseline_print_text(stdout, &res, &o->cfg, 0);
			else
				for (size_t i = 0; i < res.regressions && i < CHECK_ITEMS; i++) {
					const struct bl_item *it = &res.items[i];
					char scope[256];
					baseline_item_scope(&res, it, scope, sizeof(scope));
					if (it->categorical)
						printf("    %s: %s -> %s  [%s]\n", it->what, it->old_s,
						       it->new_s, scope);
					else
						printf("    %s: %g -> %g%s%s  [%s]\n", it->what, it->old_v,
						       it->new_v, it->unit[0] ? " " : "", it->unit, scope);
				}
		}
	}
	baseline_result_free(&res);
out:
	fflush(stdout);
	report_digest_free(&old);
	report_digest_free(&cur);
	fclose(tmp);
}

static int cmd_check(int argc, char **argv)
{
	struct regress_opts o;
	int first = parse(argc, argv, &o);
	if (first < 0)
		return first == -2 ? BASELINE_OK : BASELINE_ERROR;
	if (argc - first != 1) {
		fprintf(stderr, "tcplens check: wants one directory of captures\n");
		usage(stderr);
		return BASELINE_ERROR;
	}
	char dir[4096], rdir[4096];
	snprintf(dir, sizeof(dir), "%s", argv[first]);
	for (size_t l = strlen(dir); l > 1 && dir[l - 1] == '/'; l--)
		dir[l - 1] = 0;
	reports_dir(dir, o.reports, rdir, sizeof(rdir));
	int n;
	char **names = list_captures(dir, &n);
	if (n < 0) {
		fprintf(stderr, "tcplens check: cannot read the directory %s: %s\n", dir, strerror(errno));
		return BASELINE_ERROR;
	}
	if (n == 0) {
		fprintf(stderr, "tcplens check: no captures (*.pcap, *.pcapng) in %s\n", dir);
		free(names);
		return BASELINE_ERROR;
	}
	if (o.update && !is_dir(rdir)) {
		fprintf(stderr, "tcplens check: the reports directory %s does not exist\n", rdir);
		for (int i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return BASELINE_ERROR;
	}
	struct check_totals t = {.first_json = true};
	char tol[512];
	baseline_tolerance_describe(&o.cfg, tol, sizeof(tol));
	if (o.json) {
		json_t *d = json_pack("{s:s,s:s}", "dir", dir, "reports", rdir);
		char *ds = d ? json_dumps(d, JSON_COMPACT) : NULL;
		/* the object stays open for the captures array */
		printf("%.*s,\"captures\":[", ds ? (int)strlen(ds) - 1 : 1, ds ? ds : "{");
		free(ds);
		json_decref(d);
	}
	else
		printf("%-34s %6s %7s  %s\n", "capture", "flows", "events", "result");
	for (int i = 0; i < n; i++) {
		char cap[8192], rep[8192], base[4096];
		fmt(cap, sizeof(cap), "%s/%s", dir, names[i]);
		fmt(base, sizeof(base), "%s", names[i]);
		*strrchr(base, '.') = 0;
		fmt(rep, sizeof(rep), "%s/%s.json", rdir, base);
		check_one(&o, &t, cap, rep);
		free(names[i]);
	}
	free(names);
	if (o.json) {
		printf("\n],\"ok\":%d,\"regressed\":%d,\"errors\":%d,\"updated\":%d}\n", t.ok, t.regressed,
		       t.errors, t.updated);
	} else if (o.update) {
		printf("%d reports written to %s, %d errors\n", t.updated, rdir, t.errors);
	} else {
		printf("%d captures against %s: %d ok, %d regressed, %d errors (tolerances: %s)\n", n, rdir,
		       t.ok, t.regressed, t.errors, tol);
	}
	if (fflush(stdout) != 0)
		return BASELINE_ERROR;
	return t.errors ? BASELINE_ERROR : t.regressed ? BASELINE_REGRESSED : BASELINE_OK;
}

int regress_command(int argc, char **argv)
{
	if (!strcmp(argv[0], "diff"))
		return cmd_diff(argc, argv);
	return cmd_check(argc, argv);
}
