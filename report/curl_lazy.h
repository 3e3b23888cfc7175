/*
 * report/curl_lazy.h — libcurl, loaded when --clickhouse first needs it.
 *
 * Linked outright, libcurl brings 29 more shared libraries (TLS, HTTP/2,
 * LDAP, Kerberos...) into every run of tcplens: 3 ms of start-up and 6 MB of
 * memory for a feature most runs never use. Instead the ClickHouse code
 * includes this header, which declares libcurl's types from <curl/curl.h>
 * and turns the libcurl calls it makes into calls through a table filled
 * by dlopen("libcurl.so.4") (curl_lazy_load). Nothing else changes in the
 * code that calls them.
 */
#ifndef TCPLENS_CURL_LAZY_H
#define TCPLENS_CURL_LAZY_H

#include <stddef.h>

#define CURL_DISABLE_TYPECHECK 1 /* curl_easy_setopt a function, not a macro */
#include <curl/curl.h>

struct curl_lazy {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *c, CURLoption o, ...);
	CURLcode (*easy_perform)(CURL *c);
	CURLcode (*easy_getinfo)(CURL *c, CURLINFO i, ...);
	void (*easy_cleanup)(CURL *c);
	const char *(*easy_strerror)(CURLcode e);
	char *(*easy_unescape)(CURL *c, const char *s, int len, int *outlen);
	void (*free)(void *p);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
	CURLU *(*url)(void);
	void (*url_cleanup)(CURLU *u);
	CURLUcode (*url_get)(const CURLU *u, CURLUPart p, char **part, unsigned int flags);
	CURLUcode (*url_set)(CURLU *u, CURLUPart p, const char *part, unsigned int flags);
};

extern struct curl_lazy curl_lazy;

/* Load libcurl once (thread-safe after the first call returns; call it on
 * the main thread before starting any sender). 0, or -1 with err set to
 * what to install. */
int curl_lazy_load(char *err, size_t errlen);

#define curl_global_init (curl_lazy.global_init)
#define curl_global_cleanup (curl_lazy.global_cleanup)
#define curl_easy_init (curl_lazy.easy_init)
#undef curl_easy_setopt  /* curl.h's three-argument check, a macro too */
#undef curl_easy_getinfo
#define curl_easy_setopt (curl_lazy.easy_setopt)
#define curl_easy_perform (curl_lazy.easy_perform)
#define curl_easy_getinfo (curl_lazy.easy_getinfo)
#define curl_easy_cleanup (curl_lazy.easy_cleanup)
#define curl_easy_strerror (curl_lazy.easy_strerror)
#define curl_easy_unescape (curl_lazy.easy_unescape)
#define curl_free (curl_lazy.free)
#define curl_slist_append (curl_lazy.slist_append)
#define curl_slist_free_all (curl_lazy.slist_free_all)
#define curl_url (curl_lazy.url)
#define curl_url_cleanup (curl_lazy.url_cleanup)
#define curl_url_get (curl_lazy.url_get)
#define curl_url_set (curl_lazy.url_set)

#endif
