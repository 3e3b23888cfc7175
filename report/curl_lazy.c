/*
 * report/curl_lazy.c — see curl_lazy.h.
 */
#include "curl_lazy.h"

#include <dlfcn.h>
#include <stdio.h>

struct curl_lazy curl_lazy;

static void *handle;

/* dlsym's object pointer into a function pointer (POSIX guarantees it),
 * into the table being filled. */
#define LOAD(field, name)                                                            \
	do {                                                                         \
		void *sym = dlsym(h, name);                                          \
		if (!sym) {                                                          \
			snprintf(err, errlen, "libcurl.so.4 lacks %s: install a libcurl4 of " \
				 "7.62 or later (apt-get install libcurl4)", name);           \
			dlclose(h);                                                  \
			return -1;                                                   \
		}                                                                    \
		*(void **)&t.field = sym;                                            \
	} while (0)

int curl_lazy_load(char *err, size_t errlen)
{
	if (handle)
		return 0;
	void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(err, errlen, "--clickhouse needs libcurl: %s (apt-get install libcurl4)",
			 dlerror());
		return -1;
	}
	struct curl_lazy t; /* published whole, or not at all */
	LOAD(global_init, "curl_global_init");
	LOAD(global_cleanup, "curl_global_cleanup");
	LOAD(easy_init, "curl_easy_init");
	LOAD(easy_setopt, "curl_easy_setopt");
	LOAD(easy_perform, "curl_easy_perform");
	LOAD(easy_getinfo, "curl_easy_getinfo");
	LOAD(easy_cleanup, "curl_easy_cleanup");
	LOAD(easy_strerror, "curl_easy_strerror");
	LOAD(easy_unescape, "curl_easy_unescape");
	LOAD(free, "curl_free");
	LOAD(slist_append, "curl_slist_append");
	LOAD(slist_free_all, "curl_slist_free_all");
	LOAD(url, "curl_url");
	LOAD(url_cleanup, "curl_url_cleanup");
	LOAD(url_get, "curl_url_get");
	LOAD(url_set, "curl_url_set");
	curl_lazy = t;
	handle = h;
	return 0;
}
