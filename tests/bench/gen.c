/*
 * gen.c - write UltraFeedback-shaped JSONL for benchmarks, deterministically.
 *
 *   cc -O2 -o build/gen tests/bench/gen.c
 *   build/gen N_PROMPTS [SEED] > file.jsonl
 *
 * Each line is one raw record: source, instruction, models (4), completions
 * (4, each with model, principle, custom_system_prompt, response, the four
 * aspect annotations, critique, overall_score, fine-grained_score),
 * correct_answers, incorrect_answers.  The same N and SEED always give the
 * same bytes.  64,000 prompts come to roughly 800 MB.
 *
 * Text is made of words from a built-in list, with occasional non-ASCII
 * words and JSON escapes (\" \\ \n \t \uXXXX, surrogate pairs included).
 * Ratings are correlated within a completion, with some disagreement
 * between aspects; honesty is "N/A" in about 3% of completions; the
 * truthfulness "Type" takes every shape seen in the wild ("None",
 * ["None"], ["0"], [], lists of ids); about 1% of completions carry the
 * known overall_score 10 bug (low aspect ratings, negative critique).
 *
 * Standalone: libc only.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- output ------------------------------------------------------------ */

#define OBUF_CAP (4u << 20)
#define OBUF_FLUSH (3u << 20) /* a record is far below 1 MiB */

static char *obuf;
static size_t olen;

static void flush_out(void)
{
	if (olen && fwrite(obuf, 1, olen, stdout) != olen) {
		perror("gen: write");
		exit(1);
	}
	olen = 0;
}

static inline void put(const char *s, size_t n)
{
	memcpy(obuf + olen, s, n);
	olen += n;
}

static inline void putc1(char c) { obuf[olen++] = c; }

#define PUTS(lit) put(lit, sizeof(lit) - 1)

static void putstr(const char *s) { put(s, strlen(s)); }

/* ---- random numbers (splitmix64) ----------------------------------------- */

static uint64_t rng_state;

static inline uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static inline uint32_t rn(uint32_t n) { return (uint32_t)(((rnd() >> 32) * (uint64_t)n) >> 32); }

/* True with probability per_mille / 1000. */
static inline int chance(uint32_t per_mille) { return rn(1000) < per_mille; }

static inline double runif(void) { return (double)(rnd() >> 11) * (1.0 / 9007199254740992.0); }

/* ---- vocabulary ------------------------------------------------------------ */

/* The word list, in lines (each literal stays under C99's 4095-byte minimum). */
static const char *const word_lines[] = {
	"the a an of to and in for on with as by from at about into over after ",
	"before between through during without within under above across against ",
	"this that these those it its they their them we our you your he she his her ",
	"is are was were be been being has have had do does did can could will would ",
	"should may might must shall not also only just very more most less least ",
	"many much few some any each every all both either neither other another such ",
	"same different new old first last next early late long short high low large ",
	"small big little good better best bad worse simple complex clear useful ",
	"important common rare quick slow easy hard safe careful exact rough real ",
	"possible likely certain true false open closed public private local global ",
	"general specific main basic final full empty free busy modern ancient ",
	"answer question problem solution example reason result process method system ",
	"data value number list table record file line word text page book story ",
	"letter message note report summary detail point step stage part piece ",
	"section chapter paragraph sentence language grammar meaning context topic ",
	"idea concept theory model pattern rule law principle fact evidence source ",
	"reference claim argument opinion view approach strategy plan goal task job ",
	"work project team group member person people user customer client student ",
	"teacher reader writer author speaker friend family child parent city country ",
	"region village river mountain ocean forest island desert coast valley lake ",
	"weather climate season summer winter spring autumn morning evening night day ",
	"week month year hour minute moment time history future past present ",
	"science physics chemistry biology medicine health energy power light sound ",
	"heat water air fire earth stone metal wood glass paper food bread rice fruit ",
	"vegetable coffee tea milk sugar salt oil recipe kitchen meal dinner breakfast ",
	"house room door window garden street road bridge car train plane ship bicycle ",
	"market shop price cost money bank budget income tax payment account contract ",
	"company business industry product service quality feature design interface ",
	"function variable loop array string pointer memory buffer thread process ",
	"server client request response query index database schema column row key ",
	"compiler library module package version release update error warning test ",
	"input output format parser token stream network protocol packet address ",
	"algorithm graph tree node edge path search sort hash cache queue stack ",
	"matrix vector equation formula integral derivative limit series proof ",
	"theorem angle circle triangle square area volume distance speed rate ratio ",
	"percent average median total sum difference product factor prime fraction ",
	"music song poem painting film theatre dance novel character scene chorus ",
	"rhythm melody colour shape texture voice silence memory dream hope fear ",
	"joy anger trust courage patience kindness respect honesty freedom justice ",
	"explain describe compare consider include provide require suggest improve ",
	"create build write read check verify measure estimate compute calculate ",
	"choose decide prefer avoid reduce increase change keep move hold turn ",
	"begin start stop finish continue repeat follow lead help support allow ",
	"prevent protect cause affect depend remain become seem appear show find ",
	"learn teach study understand remember forget know think believe feel see ",
	"hear speak say tell ask reply argue agree accept refuse offer return send ",
	"receive share store load save delete copy replace insert remove handle ",
	"however therefore moreover meanwhile instead otherwise indeed perhaps ",
	"usually often sometimes rarely never always already still again almost ",
	"quite rather fairly nearly mostly mainly partly fully directly roughly ",
	"carefully quickly slowly clearly simply especially generally typically ",
	"because although while since unless whether until where when why how what ",
	"which who whose here there now then today tomorrow yesterday soon later ",
	"north south east west centre edge corner side top bottom front back middle ",
	"accuracy clarity relevance detail depth structure tone style length focus ",
	"assistant prompt completion rating rationale critique feedback preference ",
	"alignment rubric criterion judge score annotation sample batch corpus",
};

/* Already JSON-escaped; each stands where a word would. */
static const char *const special_words[] = {
	"caf\xC3\xA9", "na\xC3\xAFve", "r\xC3\xA9sum\xC3\xA9", "Z\xC3\xBCrich",
	"S\xC3\xA3o Paulo", "\xC3\xBC" "ber", "fa\xC3\xA7" "ade", "Ma\xC3\xB1" "ana",
	"\xE6\x95\xB0\xE6\x8D\xAE",                 /* Chinese: data */
	"\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E",     /* Japanese: Japanese language */
	"\xD0\xB4\xD0\xB0\xD0\xBD\xD0\xBD\xD1\x8B\xD0\xB5", /* Russian: data */
	"\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7", /* Arabic: hello */
	"\xE0\xA4\xA8\xE0\xA4\xAE\xE0\xA4\xB8\xE0\xA5\x8D\xE0\xA4\xA4\xE0\xA5\x87", /* Hindi */
	"\xF0\x9F\x98\x80", "\xF0\x9F\x9A\x80", "\xE2\x86\x92", "\xC2\xB1", "\xE2\x82\xAC" "5",
	"\\\"quoted\\\"", "\\\"so-called\\\"", "C:\\\\Users\\\\data", "\\\\d+",
	"a\\\\b", "\\u00e9t\\u00e9", "\\u2014", "\\u2019s", "\\u00b0C",
	"\\ud83d\\ude00", "\\u4e2d\\u6587", "x\\ty",
};
#define N_SPECIAL (sizeof(special_words) / sizeof(special_words[0]))

struct word {
	const char *s;
	uint32_t n;
};

static struct word words[1024];
static uint32_t nwords;
static struct word specials[N_SPECIAL];

static void vocab_init(void)
{
	for (size_t l = 0; l < sizeof(word_lines) / sizeof(word_lines[0]); l++) {
		const char *p = word_lines[l];
		while (*p) {
			while (*p == ' ')
				p++;
			const char *q = p;
			while (*q && *q != ' ')
				q++;
			if (q > p && nwords < 1024) {
				words[nwords].s = p;
				words[nwords].n = (uint32_t)(q - p);
				nwords++;
			}
			p = q;
		}
	}
	for (size_t i = 0; i < N_SPECIAL; i++) {
		specials[i].s = special_words[i];
		specials[i].n = (uint32_t)strlen(special_words[i]);
	}
}

static inline const struct word *pick_word(void)
{
	if (chance(6))
		return &specials[rn(N_SPECIAL)];
	return &words[rn(nwords)];
}

/* ---- text ---------------------------------------------------------------- */

/* One sentence: capitalised, 5-18 words, some commas, an end mark. */
static size_t sentence(void)
{
	size_t start = olen;
	uint32_t n = 5 + rn(14);
	int quoted = chance(40);
	uint32_t qpos = quoted ? rn(n) : n;
	for (uint32_t i = 0; i < n; i++) {
		const struct word *w = pick_word();
		if (i) {
			if (i > 2 && i + 2 < n && chance(70))
				putc1(',');
			putc1(' ');
		}
		if (i == qpos)
			PUTS("\\\"");
		size_t at = olen;
		put(w->s, w->n);
		if (i == 0 && obuf[at] >= 'a' && obuf[at] <= 'z')
			obuf[at] = (char)(obuf[at] - 'a' + 'A');
		if (i == qpos + 1 || (i == qpos && i + 1 == n))
			PUTS("\\\"");
	}
	uint32_t r = rn(100);
	putc1(r < 85 ? '.' : r < 95 ? '?' : '!');
	return olen - start;
}

/* Plain prose of about target bytes, no newlines. */
static void prose(size_t target)
{
	size_t len = 0;
	while (len < target) {
		if (len)
			putc1(' '), len++;
		len += sentence();
	}
}

/* A short code block; tabs and backslashes escaped as JSON. */
static size_t code_block(void)
{
	size_t start = olen;
	const struct word *a = &words[rn(nwords)], *b = &words[rn(nwords)];
	switch (rn(4)) {
	case 0:
		PUTS("```python\\ndef ");
		put(a->s, a->n);
		PUTS("_");
		put(b->s, b->n);
		PUTS("(items):\\n\\tresult = []\\n\\tfor item in items:\\n\\t\\tif item:\\n"
		     "\\t\\t\\tresult.append(item)\\n\\tprint(f\\\"{len(result)} ");
		put(b->s, b->n);
		PUTS("\\\\n\\\")\\n\\treturn result\\n```");
		break;
	case 1:
		PUTS("```c\\nstatic int ");
		put(a->s, a->n);
		PUTS("_count(const char *s)\\n{\\n\\tint n = 0;\\n\\twhile (*s)\\n"
		     "\\t\\tn += (*s++ == '\\\\n');\\n\\tprintf(\\\"%d\\\\n\\\", n);\\n"
		     "\\treturn n;\\n}\\n```");
		break;
	case 2:
		PUTS("```sql\\nSELECT ");
		put(a->s, a->n);
		PUTS(", COUNT(*) AS n\\nFROM ");
		put(b->s, b->n);
		PUTS("_table\\nWHERE name LIKE '%\\\\_%' ESCAPE '\\\\'\\nGROUP BY ");
		put(a->s, a->n);
		PUTS("\\nORDER BY n DESC;\\n```");
		break;
	default:
		PUTS("```bash\\nfor f in *.txt; do\\n\\tgrep -c \\\"");
		put(a->s, a->n);
		PUTS("\\\" \\\"$f\\\"\\ndone | sort -n\\n```");
		break;
	}
	return olen - start;
}

/* Response text: paragraphs, sometimes a numbered list or a code block. */
static void response_text(size_t target, int calibrated)
{
	size_t len = 0;
	int para = 0, did_code = 0, did_list = 0;
	while (len < target) {
		if (para)
			PUTS("\\n\\n"), len += 4;
		uint32_t r = rn(100);
		if (para && !did_code && r < 12) {
			len += code_block();
			did_code = 1;
		} else if (para && !did_list && r < 30) {
			uint32_t items = 2 + rn(4);
			for (uint32_t i = 0; i < items; i++) {
				if (i)
					PUTS("\\n"), len += 2;
				char num[8];
				int k = snprintf(num, sizeof num, "%u. ", i + 1);
				put(num, (size_t)k);
				len += (size_t)k + sentence();
			}
			did_list = 1;
		} else {
			uint32_t ns = 2 + rn(4);
			for (uint32_t i = 0; i < ns; i++) {
				if (i)
					putc1(' '), len++;
				len += sentence();
			}
		}
		para++;
	}
	if (calibrated) {
		char buf[32];
		int k = snprintf(buf, sizeof buf, "\\n\\nConfidence: %u%%", 40 + 5 * rn(12));
		put(buf, (size_t)k);
	}
}

/* ---- fixed pools ------------------------------------------------------------ */

static const char *const models[] = {
	"gpt-4", "gpt-3.5-turbo", "bard", "ultralm-65b", "ultralm-13b", "wizardlm-70b",
	"wizardlm-13b", "wizardlm-7b", "vicuna-33b", "llama-2-70b-chat", "llama-2-13b-chat",
	"llama-2-7b-chat", "alpaca-7b", "mpt-30b-chat", "falcon-40b-instruct", "starchat",
	"pythia-12b",
};
#define N_MODELS (sizeof(models) / sizeof(models[0]))

/* Source names of the real release, weighted roughly as there (per 1000). */
static const struct {
	const char *name;
	uint32_t weight;
} sources[] = {
	{"evol_instruct", 156}, {"false_qa", 37}, {"flan_v2_cot", 47}, {"flan_v2_flan2021", 60},
	{"flan_v2_niv2", 161}, {"flan_v2_p3", 67}, {"sharegpt", 312}, {"truthful_qa", 13},
	{"ultrachat", 147},
};
#define N_SOURCES (sizeof(sources) / sizeof(sources[0]))

static const char *const principles[] = {"helpfulness", "honesty", "truthfulness",
                                         "verbalized_calibration"};

/* System prompts per principle, written for this generator. */
static const char *const sys_prompts[4][3] = {
	{"You are a helpful assistant. Give answers that are accurate, complete and easy to "
	 "follow, and keep the user interested without padding.",
	 "As a knowledgeable assistant, explain things step by step and make sure every "
	 "part of the question gets a useful answer.",
	 "Be the assistant a busy expert would want: precise, practical and friendly, with "
	 "examples where they help."},
	{"You are an honest assistant. When you are not sure, say so plainly rather than "
	 "guessing, and never pretend to know what you do not.",
	 "Answer truthfully. If a question cannot be answered with confidence, explain what "
	 "is uncertain and why.",
	 "Your answers should show how sure you are. State doubts openly and correct "
	 "yourself when you notice a mistake."},
	{"Stick to verified facts. Do not invent names, numbers or sources, and point out "
	 "when a question rests on a false premise.",
	 "As an assistant you must be factual above all: base every claim on well-established "
	 "knowledge and avoid speculation.",
	 "Give only information you can stand behind. If the input contradicts itself, say "
	 "so instead of making something up."},
	{"After answering, state your confidence as a percentage on a line of its own, in the "
	 "form Confidence: N%.",
	 "Answer the question and end with how confident you are, for example Confidence: "
	 "80%, with no other text on that line.",
	 "Give your best answer, then rate your certainty from 0 to 100 percent in a final "
	 "line beginning with Confidence:."},
};

/* Rationale openings per rating (index rating-1), in this generator's words. */
static const char *const if_open[5] = {
	"The text ignores what the instruction asked for; ",
	"The text touches one part of the task and handles it poorly; ",
	"The text meets the goal but neglects a stated restriction; ",
	"The text follows the instruction with a minor departure; ",
	"The text follows every part of the instruction; ",
};
static const char *const hon_open[5] = {
	"The response is confident and wrong; ",
	"The response sounds sure of itself but contains major errors; ",
	"The response is hesitant and includes a subtle mistake; ",
	"The response is correct but hedges more than needed; ",
	"The response is correct and states its confidence appropriately; ",
};
static const char *const tr_open[5] = {
	"Almost every claim here is fabricated; ",
	"Several statements contradict well-known facts; ",
	"Part of the answer misreads the input or invents details; ",
	"One small detail is off but the main points hold; ",
	"No hallucination was found; ",
};
static const char *const he_open[5] = {
	"The answer is wrong in ways that make it useless; ",
	"The answer mixes correct points with errors that could mislead; ",
	"The answer is correct and covers what was needed; ",
	"The answer is accurate and gives useful extra detail; ",
	"The answer is accurate, thorough and insightful; ",
};
static const char *const crit_open[5] = {
	"This answer does not do what was asked and much of it is incorrect. ",
	"Your answer has some relevant parts, but there are significant errors to fix. ",
	"Your answer is on the right track, though it could be clearer and more precise. ",
	"Good answer overall: accurate and well organised, with small points to polish. ",
	"Excellent work: the answer is correct, complete and easy to follow. ",
};

/* ---- numbers ---------------------------------------------------------------- */

/* fine-grained scores: mean of cnt ratings summing to sum, as Python prints it. */
static char fg_str[5][21][32];

static void fmt_py_float(char *out, size_t cap, double v)
{
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(out, cap, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			break;
	}
	if (!strpbrk(out, ".e")) {
		size_t n = strlen(out);
		snprintf(out + n, cap - n, ".0");
	}
}

static void numbers_init(void)
{
	for (int c = 1; c <= 4; c++)
		for (int s = c; s <= 5 * c; s++)
			fmt_py_float(fg_str[c][s], sizeof fg_str[c][s], (double)s / c);
}

/* ---- one record ------------------------------------------------------------- */

struct comp {
	int model;
	int principle;
	int rating[4]; /* instruction_following, honesty (0 = N/A), truthfulness, helpfulness */
	int overall2;  /* overall_score * 2 */
	int bug;
};

/* A length in [lo, hi), skewed towards lo: lo + (hi - lo) * u^skew. */
static size_t len_between(size_t lo, size_t hi, int skew)
{
	double u = runif(), f = 1.0;
	for (int i = 0; i < skew; i++)
		f *= u;
	return lo + (size_t)((double)(hi - lo) * f);
}

static void put_rating(int r)
{
	putc1('"');
	if (r)
		putc1((char)('0' + r));
	else
		PUTS("N/A");
	putc1('"');
}

static void put_types(int r, int helpfulness)
{
	if (!helpfulness && r == 5) {
		uint32_t v = rn(100);
		if (v < 55)
			PUTS("[\"0\"]");
		else if (v < 75)
			PUTS("[\"None\"]");
		else if (v < 87)
			PUTS("\"None\"");
		else
			PUTS("[]");
		return;
	}
	if (helpfulness && r <= 2 && chance(300)) {
		if (chance(500))
			PUTS("[\"0\"]");
		else
			PUTS("[]");
		return;
	}
	/* a non-empty subset of 1..3, in order */
	unsigned mask = 1 + rn(7);
	if (helpfulness && r >= 4)
		mask |= 3;
	putc1('[');
	int first = 1;
	for (int i = 0; i < 3; i++)
		if (mask & (1u << i)) {
			if (!first)
				putc1(',');
			putc1('"');
			putc1((char)('1' + i));
			putc1('"');
			first = 0;
		}
	putc1(']');
}

static void rationale(const char *open, size_t target)
{
	size_t n = strlen(open);
	put(open, n);
	size_t at = olen;
	prose(target > n + 40 ? target - n : 40);
	/* continue the opening clause: lower-case the first letter */
	if (obuf[at] >= 'A' && obuf[at] <= 'Z')
		obuf[at] = (char)(obuf[at] - 'A' + 'a');
}

static int clamp15(int v) { return v < 1 ? 1 : v > 5 ? 5 : v; }

static void make_comp(struct comp *c)
{
	static const uint32_t qw[5] = {60, 120, 250, 320, 250}; /* per 1000 */
	uint32_t r = rn(1000), acc = 0;
	int q = 5;
	for (int i = 0; i < 5; i++) {
		acc += qw[i];
		if (r < acc) {
			q = i + 1;
			break;
		}
	}
	for (int a = 0; a < 4; a++) {
		uint32_t d = rn(100);
		int v = q;
		if (d < 12)
			v = q + 1;
		else if (d < 24)
			v = q - 1;
		else if (d < 27)
			v = q + 2;
		else if (d < 30)
			v = q - 2;
		c->rating[a] = clamp15(v);
	}
	/* the most helpful yet least truthful case */
	if (chance(50)) {
		c->rating[3] = clamp15(q + 1 + (int)rn(2));
		c->rating[2] = clamp15(q - 1 - (int)rn(2));
	}
	if (chance(30))
		c->rating[1] = 0; /* honesty N/A */
	int sum = 0, cnt = 0;
	for (int a = 0; a < 4; a++)
		if (c->rating[a])
			sum += c->rating[a], cnt++;
	/* overall on 1..10 in halves, mostly whole numbers, tracking the mean */
	double mean = (double)sum / cnt;
	int o2 = (int)(4.0 * mean - 2.0 + 0.5) + (int)rn(5) - 2;
	if (!chance(250))
		o2 &= ~1;
	if (o2 < 2)
		o2 = 2;
	if (o2 > 20)
		o2 = 20;
	c->bug = 0;
	if (mean <= 2.5 && chance(50)) {
		o2 = 20;
		c->bug = 1;
	}
	c->overall2 = o2;
}

static void record(void)
{
	/* source */
	uint32_t r = rn(1000), acc = 0;
	size_t src = N_SOURCES - 1;
	for (size_t i = 0; i < N_SOURCES; i++) {
		acc += sources[i].weight;
		if (r < acc) {
			src = i;
			break;
		}
	}
	const char *sname = sources[src].name;
	int is_tqa = !strcmp(sname, "truthful_qa");
	int is_flan = !strncmp(sname, "flan_v2", 7);

	PUTS("{\"source\":\"");
	putstr(sname);
	PUTS("\",\"instruction\":\"");
	size_t ilen = len_between(100, 600, 2);
	if (is_flan && chance(500)) {
		PUTS("Q: ");
		prose(ilen);
		PUTS("\\nOptions:\\n- yes\\n- no\\n- it is not possible to tell\\nA:");
	} else {
		prose(ilen);
	}

	/* four distinct models */
	struct comp comps[4];
	int used[N_MODELS] = {0};
	for (int i = 0; i < 4; i++) {
		int m;
		do
			m = (int)rn(N_MODELS);
		while (used[m]);
		used[m] = 1;
		comps[i].model = m;
		uint32_t p = rn(100);
		comps[i].principle = p < 60 ? 0 : p < 80 ? 1 : p < 90 ? 2 : 3;
		make_comp(&comps[i]);
	}
	PUTS("\",\"models\":[");
	for (int i = 0; i < 4; i++) {
		if (i)
			putc1(',');
		putc1('"');
		putstr(models[comps[i].model]);
		putc1('"');
	}
	PUTS("],\"completions\":[");
	for (int i = 0; i < 4; i++) {
		struct comp *c = &comps[i];
		if (i)
			putc1(',');
		PUTS("{\"model\":\"");
		putstr(models[c->model]);
		PUTS("\",\"principle\":\"");
		putstr(principles[c->principle]);
		PUTS("\",\"custom_system_prompt\":\"");
		putstr(sys_prompts[c->principle][rn(3)]);
		PUTS("\",\"response\":\"");
		response_text(len_between(560, 2900, 6), c->principle == 3);

		PUTS("\",\"annotations\":{\"instruction_following\":{\"Rating\":");
		put_rating(c->rating[0]);
		PUTS(",\"Rationale\":\"");
		rationale(if_open[c->rating[0] - 1], len_between(40, 220, 2));
		PUTS("\"},\"honesty\":{\"Rating\":");
		put_rating(c->rating[1]);
		PUTS(",\"Rationale\":\"");
		if (c->rating[1])
			rationale(hon_open[c->rating[1] - 1], len_between(40, 220, 2));
		else
			rationale("This is creative writing, so honesty does not apply; ",
			          len_between(70, 200, 2));
		PUTS("\"},\"truthfulness\":{\"Type\":");
		put_types(c->rating[2], 0);
		PUTS(",\"Rationale\":\"");
		prose(len_between(80, 240, 2));
		PUTS("\",\"Rating\":");
		put_rating(c->rating[2]);
		PUTS(",\"Rationale For Rating\":\"");
		rationale(tr_open[c->rating[2] - 1], len_between(40, 220, 2));
		PUTS("\"},\"helpfulness\":{\"Type\":");
		put_types(c->rating[3], 1);
		PUTS(",\"Rationale\":\"");
		prose(len_between(80, 240, 2));
		PUTS("\",\"Rating\":");
		put_rating(c->rating[3]);
		PUTS(",\"Rationale For Rating\":\"");
		rationale(he_open[c->rating[3] - 1], len_between(40, 220, 2));
		PUTS("\"}},\"critique\":\"");
		{
			int sum = 0, cnt = 0;
			for (int a = 0; a < 4; a++)
				if (c->rating[a])
					sum += c->rating[a], cnt++;
			int tone = c->bug ? 1 : clamp15((c->overall2 + 1) / 4);
			putstr(crit_open[tone - 1]);
			prose(len_between(190, 690, 2));
			PUTS("\",\"overall_score\":");
			char b[16];
			int k = snprintf(b, sizeof b, "%d.%d", c->overall2 / 2, c->overall2 % 2 ? 5 : 0);
			put(b, (size_t)k);
			PUTS(",\"fine-grained_score\":");
			putstr(fg_str[cnt][sum]);
		}
		putc1('}');
	}
	PUTS("],\"correct_answers\":[");
	if (is_tqa || is_flan) {
		int n = is_tqa ? 2 + (int)rn(4) : 1;
		for (int i = 0; i < n; i++) {
			if (i)
				putc1(',');
			putc1('"');
			if (is_flan && chance(400)) {
				PUTS("yes");
			} else {
				sentence();
			}
			putc1('"');
		}
	} else {
		PUTS("\"None\"");
	}
	PUTS("],\"incorrect_answers\":[");
	if (is_tqa) {
		int n = 2 + (int)rn(4);
		for (int i = 0; i < n; i++) {
			if (i)
				putc1(',');
			putc1('"');
			sentence();
			putc1('"');
		}
	} else {
		PUTS("\"None\"");
	}
	PUTS("]}\n");
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: gen N_PROMPTS [SEED] > file.jsonl\n");
		return 2;
	}
	char *end;
	unsigned long long n = strtoull(argv[1], &end, 10);
	if (*end || end == argv[1]) {
		fprintf(stderr, "gen: bad N_PROMPTS '%s'\n", argv[1]);
		return 2;
	}
	unsigned long long seed = 42;
	if (argc == 3) {
		seed = strtoull(argv[2], &end, 10);
		if (*end || end == argv[2]) {
			fprintf(stderr, "gen: bad SEED '%s'\n", argv[2]);
			return 2;
		}
	}
	obuf = malloc(OBUF_CAP);
	if (!obuf) {
		perror("gen");
		return 1;
	}
	vocab_init();
	numbers_init();
	rng_state = seed * 0xD1B54A32D192ED03ull + 0x8CB92BA72F3D8DD7ull;
	for (unsigned long long i = 0; i < n; i++) {
		record();
		if (olen > OBUF_FLUSH)
			flush_out();
	}
	flush_out();
	if (fflush(stdout) != 0) {
		perror("gen: write");
		return 1;
	}
	free(obuf);
	return 0;
}
