/*
 * native.h - feedbench's own JSONL format: one prompt per line with
 * everything the database holds about it (completions, every rater's
 * ratings, rationales, types, critiques, their histories, preferences,
 * flags, progress and drafts).  Export then import into an empty database
 * then export again gives the same bytes.
 *
 * Line shape (keys always in this order; absent values are null):
 *   {"feedbench": 1,
 *    "prompt": {"instruction", "source", "external_id", "correct_answers",
 *               "incorrect_answers", "created_at", "datasets": [{"name","created_at"}]},
 *    "raters": {NAME: {"kind", "model", "endpoint"}},
 *    "completions": [{"idx", "model", "principle", "system_prompt", "response",
 *        "ratings": [{"rater", "aspect", "value" (int | "N/A" | null), "rationale",
 *                     "types", "rationale2", "updated_at"}],
 *        "rating_history": [... same keys plus "replaced_at"],
 *        "critiques": [{"rater", "text", "overall_score", "fine_grained_score", "updated_at"}],
 *        "critique_history": [... plus "replaced_at"]}],
 *    "preferences": [{"rater", "chosen" (idx), "rejected" (idx), "created_at"}],
 *    "flags": [{"rater", "kind", "reason", "created_at"}],
 *    "progress": [{"rater", "shown_order", "active_ms", "finished_at", "updated_at"}],
 *    "drafts": [{"rater", "completion" (idx), "field", "text", "updated_at"}]}
 */
#ifndef FB_NATIVE_H
#define FB_NATIVE_H

#include <cjson/cJSON.h>

#include "db.h"

struct import_ctx;

/* Import side (an import_formats[] entry). */
int native_detect(const cJSON *rec);
int native_record(struct import_ctx *ctx, const cJSON *rec, struct fb_err *err);

/* The line for one prompt; caller frees with cJSON_Delete.  NULL with err on failure. */
cJSON *native_prompt_json(struct db *db, int64_t prompt_id, struct fb_err *err);

#endif
