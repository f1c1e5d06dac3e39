/* export.c - the export formats table and atomic output (see export.h). */
#include "export.h"

#include "native.h"
#include "progress.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int export_native(struct db *db, const struct export_opts *o, FILE *out,
			 struct fb_err *err)
{
	int64_t *ids;
	size_t n, i;
	struct progress pg;
	int rc = 0;

	if (sel_prompts(db, &o->sel, &ids, &n, err) < 0)
		return -1;
	progress_start(&pg, "export", 0, o->progress);
	/* one read transaction: a consistent snapshot even while others write */
	if (db_exec(db, "BEGIN", err) < 0) {
		free(ids);
		return -1;
	}
	for (i = 0; i < n; i++) {
		cJSON *j = native_prompt_json(db, ids[i], err);
		char *s;

		if (!j) {
			rc = -1;
			break;
		}
		s = cJSON_PrintUnformatted(j);
		cJSON_Delete(j);
		if (!s)
			fatal("out of memory printing JSON");
		fputs(s, out);
		fputc('\n', out);
		free(s);
		progress_update(&pg, (long)i + 1, 0);
	}
	db_exec(db, "COMMIT", NULL);
	progress_end(&pg);
	free(ids);
	return rc;
}

const struct export_format export_formats[] = {
	{"feedbench", "lossless JSONL, one prompt per line (import reads it back)", export_native},
	{NULL, NULL, NULL},
};

const struct export_format *export_format_find(const char *name)
{
	const struct export_format *f;

	for (f = export_formats; f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

int export_file_open(struct export_file *ef, const char *path, struct fb_err *err)
{
	int fd;

	memset(ef, 0, sizeof(*ef));
	if (!path || !strcmp(path, "-")) {
		ef->f = stdout;
		return 0;
	}
	ef->path = xstrdup(path);
	ef->tmp = xasprintf("%s.tmp-XXXXXX", path);
	fd = mkstemp(ef->tmp);
	if (fd < 0) {
		fb_error(err, "%s: cannot create: %s", path, strerror(errno));
		free(ef->path);
		free(ef->tmp);
		memset(ef, 0, sizeof(*ef));
		return -1;
	}
	ef->f = fdopen(fd, "w");
	if (!ef->f)
		fatal("fdopen: %s", strerror(errno));
	return 0;
}

int export_file_commit(struct export_file *ef, struct fb_err *err)
{
	int bad;

	if (!ef->path) {
		if (fflush(stdout) != 0)
			return fb_error(err, "writing to standard output: %s", strerror(errno));
		return 0;
	}
	bad = fflush(ef->f) != 0 || fsync(fileno(ef->f)) != 0;
	bad |= fclose(ef->f) != 0;
	ef->f = NULL;
	if (bad || rename(ef->tmp, ef->path) != 0) {
		fb_error(err, "%s: %s", ef->path, strerror(errno));
		export_file_abort(ef);
		return -1;
	}
	free(ef->path);
	free(ef->tmp);
	memset(ef, 0, sizeof(*ef));
	return 0;
}

void export_file_abort(struct export_file *ef)
{
	if (ef->path) {
		if (ef->f)
			fclose(ef->f);
		unlink(ef->tmp);
		free(ef->path);
		free(ef->tmp);
	}
	memset(ef, 0, sizeof(*ef));
}

int export_run(struct db *db, const struct export_opts *o, struct fb_err *err)
{
	const struct export_format *f = export_format_find(o->format);
	struct export_file ef;

	if (!f)
		return fb_error(err, "unknown export format '%s' (see 'feedbench export --help')",
				o->format);
	if (export_file_open(&ef, o->out, err) < 0)
		return -1;
	if (f->run(db, o, ef.f, err) < 0) {
		export_file_abort(&ef);
		return -1;
	}
	return export_file_commit(&ef, err);
}
