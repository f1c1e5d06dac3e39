/*
 * embedded.h - files compiled into the binary: schema/NNN_name.sql, rubrics/NAME.rubric.
 * The table ends with a {NULL, NULL} entry; names keep their directory
 * ("schema/001_init.sql") and entries are sorted by name within a directory.
 * Everything here is static, read-only and owned by the program.
 */
#ifndef FB_EMBEDDED_H
#define FB_EMBEDDED_H

struct embedded_file {
	const char *name;
	const char *text;
};

extern const struct embedded_file embedded_files[];

#endif
