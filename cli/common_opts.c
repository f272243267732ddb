/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The common options' table, the one getopt_long loop of every
 * subcommand and the help lines of its options. */
#include <stdarg.h>
#include <string.h>

#include "cli.h"
#include "cli_inventory.h"
#include "common_opts.h"
#include "connparam.h"
#include "inventory.h"

/* Checks an option's value into *c; -1 with one line in err. */
typedef int (*parse_fn)(const struct cli_opts_spec *s, const char *arg,
			struct cli_common *c, char *err, size_t errlen);

struct common_opt {
	unsigned bit;         /* CLI_OPT_*; 0: --help, taken by every command */
	const char *name;
	char letter;
	const char *arg;      /* NULL: takes no value */
	const char *help;
	parse_fn parse;       /* NULL: --help */
};

static int set_json(const struct cli_opts_spec *s, const char *arg,
		    struct cli_common *c, char *err, size_t errlen)
{
	(void)s, (void)arg, (void)err, (void)errlen;
	c->json = true;
	return 0;
}

static int set_verbose(const struct cli_opts_spec *s, const char *arg,
		       struct cli_common *c, char *err, size_t errlen)
{
	(void)s, (void)arg, (void)err, (void)errlen;
	c->verbose = true;
	return 0;
}

static int set_timeout(const struct cli_opts_spec *s, const char *arg,
		       struct cli_common *c, char *err, size_t errlen)
{
	if (cli_parse_double(arg, s->timeout_min, s->timeout_max,
			     &c->timeout_s)) {
		snprintf(err, errlen,
			 "--timeout wants seconds between %g and %g, not '%s'",
			 s->timeout_min, s->timeout_max, arg);
		return -1;
	}
	c->timeout_set = true;
	return 0;
}

static int set_adapter(const struct cli_opts_spec *s, const char *arg,
		       struct cli_common *c, char *err, size_t errlen)
{
	(void)s, (void)err, (void)errlen;
	c->adapter = arg;
	return 0;
}

static int set_addr_type(const struct cli_opts_spec *s, const char *arg,
			 struct cli_common *c, char *err, size_t errlen)
{
	(void)s;
	if (!wc_addr_type_parse(arg, &c->addr_type)) {
		snprintf(err, errlen,
			 "--address-type is auto, public or random, not '%s'",
			 arg);
		return -1;
	}
	c->addr_type_set = true;
	return 0;
}

static int set_supervision(const struct cli_opts_spec *s, const char *arg,
			   struct cli_common *c, char *err, size_t errlen)
{
	char rule[128];
	double ms;

	(void)s;
	if (cli_parse_double(arg, WC_SUPERVISION_MIN_MS, WC_SUPERVISION_MAX_MS,
			     &ms) ||
	    !wc_supervision_valid(ms, rule, sizeof(rule))) {
		/* the rule in words, whatever was wrong */
		wc_supervision_valid(-1, rule, sizeof(rule));
		snprintf(err, errlen, "--supervision-timeout %s, not '%s'", rule,
			 arg);
		return -1;
	}
	c->supervision_ms = (uint32_t)ms;
	c->supervision_set = true;
	return 0;
}

static int set_inventory(const struct cli_opts_spec *s, const char *arg,
			 struct cli_common *c, char *err, size_t errlen)
{
	(void)s, (void)err, (void)errlen;
	c->inventory = arg;
	return 0;
}

/* In the order the help lists them. */
static const struct common_opt common_opts[] = {
	{ CLI_OPT_JSON, "json", 'j', NULL, "JSON instead of text", set_json },
	{ CLI_OPT_TIMEOUT, "timeout", 't', "S", "seconds to wait", set_timeout },
	{ CLI_OPT_ADAPTER, "adapter", 'a', "NAME",
	  "Bluetooth adapter: hci0 or its address", set_adapter },
	{ CLI_OPT_ADDR_TYPE, "address-type", 'T', "T",
	  "auto (default: random, then public), public, random",
	  set_addr_type },
	{ CLI_OPT_SUPERVISION, "supervision-timeout", 'S', "MS",
	  "LE supervision timeout of the link, 100 to 32000 in steps of 10 "
	  "(default: the kernel's, 420)", set_supervision },
	{ CLI_OPT_VERBOSE, "verbose", 'v', NULL,
	  "log the session's steps on stderr", set_verbose },
	{ CLI_OPT_INVENTORY, "inventory", 'I', "FILE",
	  "the inventory, which names batteries and banks (default: "
	  "$WATTCYCLE_INVENTORY, else " WC_INVENTORY_DEFAULT ")",
	  set_inventory },
	{ 0, "help", 'h', NULL, "print this help and exit", NULL },
};

#define N_COMMON (sizeof(common_opts) / sizeof(common_opts[0]))

static bool takes(const struct cli_opts_spec *s, const struct common_opt *o)
{
	return o->bit == 0 || (s->common & o->bit);
}

__attribute__((format(printf, 2, 3)))
static void broken(struct cli_opts *p, const char *fmt, ...)
{
	va_list ap;

	if (p->broken[0])
		return;
	va_start(ap, fmt);
	vsnprintf(p->broken, sizeof(p->broken), fmt, ap);
	va_end(ap);
}

/* One option into optstring and longopts.  Two options of one command
 * with the same letter or name would silently shadow each other: the
 * table is refused instead (every command's --help runs this). */
static void add(struct cli_opts *p, size_t *n, const char *name, char letter,
		bool has_arg)
{
	size_t len = strlen(p->optstring);

	if (strchr(p->optstring + 1, letter))
		broken(p, "option letter '-%c' given twice", letter);
	for (size_t i = 0; i < *n; i++)
		if (strcmp(p->longopts[i].name, name) == 0)
			broken(p, "option '--%s' given twice", name);
	if (*n >= CLI_OPTS_MAX || len + 2 >= sizeof(p->optstring)) {
		broken(p, "more than %d options", CLI_OPTS_MAX);
		return;
	}
	p->optstring[len++] = letter;
	if (has_arg)
		p->optstring[len++] = ':';
	p->optstring[len] = '\0';
	p->longopts[*n] = (struct option){ name,
					   has_arg ? required_argument
						   : no_argument,
					   NULL, letter };
	(*n)++;
	memset(&p->longopts[*n], 0, sizeof(p->longopts[0]));
}

void cli_opts_begin(struct cli_opts *p, const struct cli_cmd *cmd,
		    struct cli_common *c)
{
	const struct cli_opts_spec *s = &cmd->opts;
	size_t n = 0;

	memset(p, 0, sizeof(*p));
	p->cmd = cmd;
	p->c = c;
	memset(c, 0, sizeof(*c));
	c->timeout_s = s->timeout_default;
	c->addr_type = WC_ADDR_AUTO;
	/* ':' first: a missing value is told from an unknown option */
	p->optstring[0] = ':';
	for (size_t i = 0; i < N_COMMON; i++)
		if (takes(s, &common_opts[i]))
			add(p, &n, common_opts[i].name, common_opts[i].letter,
			    common_opts[i].arg != NULL);
	for (const struct cli_own_opt *o = s->own; o && o->name; o++)
		add(p, &n, o->name, o->letter, o->arg != NULL);
	optind = 0; /* glibc: a full restart, even after a parse that
		     * stopped inside a cluster of letters */
	opterr = 0; /* our own one-line messages */
}

/* The option getopt just stopped at, as the user wrote it: a long one
 * without its "=value", a short one as -x (it may sit in a cluster). */
static void option_text(char **argv, char *out, size_t outlen)
{
	const char *a = optind > 0 ? argv[optind - 1] : "";

	if (strncmp(a, "--", 2) == 0)
		snprintf(out, outlen, "%.*s", (int)strcspn(a, "="), a);
	else if (optopt > 0 && optopt < 128)
		snprintf(out, outlen, "-%c", optopt);
	else
		snprintf(out, outlen, "%s", a);
}

/* "--json=1": an option of this command given a value it does not take
 * (getopt answers '?' as for an unknown one). */
static bool takes_no_value(const struct cli_opts *p, char **argv)
{
	const char *a = optind > 0 ? argv[optind - 1] : "";
	size_t len = strcspn(a, "=");

	if (strncmp(a, "--", 2) != 0 || !a[len])
		return false;
	for (const struct option *o = p->longopts; o->name; o++)
		if (strlen(o->name) == len - 2 &&
		    strncmp(o->name, a + 2, len - 2) == 0)
			return o->has_arg == no_argument;
	return false;
}

int cli_opts_next(struct cli_opts *p, int argc, char **argv, char *err,
		  size_t errlen)
{
	const struct cli_opts_spec *s = &p->cmd->opts;
	char opt[64];
	int ch;

	if (p->broken[0]) {
		snprintf(err, errlen, "internal error: %s", p->broken);
		return CLI_OPTS_ERROR;
	}
	while ((ch = getopt_long(argc, argv, p->optstring, p->longopts,
				 NULL)) != -1) {
		const struct common_opt *o = NULL;

		if (ch == ':') {
			option_text(argv, opt, sizeof(opt));
			snprintf(err, errlen, "option '%s' needs a value", opt);
			return CLI_OPTS_ERROR;
		}
		if (ch == '?') {
			option_text(argv, opt, sizeof(opt));
			if (takes_no_value(p, argv))
				snprintf(err, errlen, "option '%s' takes no value",
					 opt);
			else
				snprintf(err, errlen, "unknown option '%s'", opt);
			return CLI_OPTS_ERROR;
		}
		for (size_t i = 0; i < N_COMMON && !o; i++)
			if (common_opts[i].letter == ch &&
			    takes(s, &common_opts[i]))
				o = &common_opts[i];
		if (!o)
			return ch;
		if (!o->parse) {
			cli_print_usage(p->cmd);
			return CLI_OPTS_HELP;
		}
		if (o->parse(s, optarg, p->c, err, errlen))
			return CLI_OPTS_ERROR;
	}
	return CLI_OPTS_DONE;
}

int cli_opts_common_only(const struct cli_cmd *cmd, int argc, char **argv,
			 struct cli_common *c)
{
	struct cli_opts p;
	char err[256];
	int r;

	/* cli_opts_next parses every common option itself: it returns only
	 * at the end, at --help, at an error, or at an own letter, which a
	 * command that declared none cannot get */
	cli_opts_begin(&p, cmd, c);
	r = cli_opts_next(&p, argc, argv, err, sizeof(err));
	if (r == CLI_OPTS_DONE)
		return CLI_OPTS_DONE;
	if (r == CLI_OPTS_HELP)
		return EXIT_OK;
	if (r == CLI_OPTS_ERROR)
		return cli_usage_error(cmd, "%s", err);
	return cli_usage_error(cmd, "unknown option '-%c'", r);
}

void cli_common_from_target(struct cli_common *c, const struct cli_target *t)
{
	if (!c->adapter && t->adapter[0])
		c->adapter = t->adapter;
	if (!c->addr_type_set && t->addr_type_set)
		c->addr_type = t->addr_type;
	if (!c->timeout_set && t->timeout_s > 0)
		c->timeout_s = t->timeout_s;
	if (!c->supervision_set && t->supervision_ms)
		c->supervision_ms = t->supervision_ms;
}

/* ---- help ----------------------------------------------------------- */

#define HELP_COLUMN 26  /* where the help text starts */
#define HELP_WIDTH 78
#define NBSP '\x1f'      /* a space the wrapping keeps: printed as ' ' */

/* "  -t, --timeout S" and the text, wrapped at HELP_WIDTH. */
static void help_line(FILE *f, char letter, const char *name,
		      const char *arg, const char *text)
{
	int col = fprintf(f, "  -%c, --%s%s%s", letter, name, arg ? " " : "",
			  arg ? arg : "");
	const char *w = text;

	if (col > HELP_COLUMN - 2) {
		fputc('\n', f);
		col = 0;
	}
	col += fprintf(f, "%*s", HELP_COLUMN - col, "");
	for (bool first = true; *w; first = false) {
		size_t len;

		w += strspn(w, " ");
		len = strcspn(w, " ");
		if (!len)
			break;
		if (!first && col + 1 + (int)len > HELP_WIDTH) {
			col = fprintf(f, "\n%*s", HELP_COLUMN, "") - 1;
		} else if (!first) {
			fputc(' ', f);
			col++;
		}
		for (size_t i = 0; i < len; i++)
			fputc(w[i] == NBSP ? ' ' : w[i], f);
		col += (int)len;
		w += len;
	}
	fputc('\n', f);
}

void cli_opts_print_help(FILE *f, const struct cli_cmd *cmd)
{
	const struct cli_opts_spec *s = &cmd->opts;
	char text[256];

	for (const struct cli_own_opt *o = s->own; o && o->name; o++)
		if (o->help)
			help_line(f, o->letter, o->name, o->arg, o->help);
	for (size_t i = 0; i < N_COMMON; i++) {
		const struct common_opt *o = &common_opts[i];
		const char *help = o->help;

		if (!takes(s, o))
			continue;
		if (o->bit == CLI_OPT_TIMEOUT) {
			/* the range and default on one line */
			snprintf(text, sizeof(text),
				 "%s, %g\x1fto\x1f%g\x1fs\x1f(default\x1f%g)",
				 s->timeout_help ? s->timeout_help : o->help,
				 s->timeout_min, s->timeout_max,
				 s->timeout_default);
			help = text;
		} else if (o->bit == CLI_OPT_JSON && s->json_help) {
			help = s->json_help;
		}
		help_line(f, o->letter, o->name, o->arg, help);
	}
}

void cli_print_usage(const struct cli_cmd *cmd)
{
	fputs(cmd->usage, stdout);
	fputc('\n', stdout);
	cli_opts_print_help(stdout, cmd);
	if (cmd->footer) {
		fputc('\n', stdout);
		fputs(cmd->footer, stdout);
	}
}
