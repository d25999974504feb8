/*
 * log.h - diagnostics as JSON lines on stderr.
 *
 * Each call writes one line with a single write(2), so lines from
 * different threads never interleave. Messages must never contain secrets
 * (tokens, codes, passwords): callers log identifiers, not credentials.
 */
#ifndef WH_CORE_LOG_H
#define WH_CORE_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

/* Append s to buf as the inside of a JSON string (no quotes), escaping
 * quotes, backslashes and control bytes. Returns the new length; never
 * writes past cap-1 and always NUL-terminates. */
size_t log_json_escape(char *buf, size_t len, size_t cap, const char *s);

#endif
