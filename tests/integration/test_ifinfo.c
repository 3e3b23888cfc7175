/*
 * tests/integration/test_ifinfo.c — the ethtool query against a real veth
 * pair in a namespace of the test's own, with offloads switched by
 * `ethtool -K`: what iface_info_query reads must follow.
 */
#include <criterion/criterion.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture/ifinfo.h"

/* One namespace per test process: Criterion runs tests in parallel. */
static char ns[64];
static char cmd[512];

__attribute__((format(printf, 1, 2))) static int shf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}


static void setup(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to create a veth pair");
	snprintf(ns, sizeof(ns), "tcplens-ifinfo-%d", (int)getpid());
	shf("ip netns del %s 2>/dev/null", ns);
	if (shf("ip netns add %s", ns) != 0)
		cr_skip_test("network namespaces are not available here");
	cr_assert_eq(shf("ip -n %s link add tlv0 type veth peer name tlv1", ns), 0);
}

static void teardown(void)
{
	shf("ip netns del %s 2>/dev/null", ns);
}

/* Run iface_info_query inside the namespace: a child enters it. */
static struct iface_info query_in_ns(const char *ifname)
{
	struct iface_info info;
	char err[256];
	char path[128], out[128];
	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	snprintf(out, sizeof(out), "/tmp/%s.bin", ns);
	FILE *f = fopen(path, "r");
	cr_assert(f, "namespace file missing");
	int pid = fork();
	if (pid == 0) {
		/* setns in the child; results come back through a temp file */
		if (setns(fileno(f), CLONE_NEWNET) != 0)
			_exit(2);
		int rc = iface_info_query(ifname, &info, err, sizeof(err));
		FILE *o = fopen(out, "wb");
		if (!o || rc != 0)
			_exit(3);
		fwrite(&info, sizeof(info), 1, o);
		fclose(o);
		_exit(0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	fclose(f);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "query in namespace failed (%d)", st);
	FILE *i = fopen(out, "rb");
	cr_assert(i && fread(&info, sizeof(info), 1, i) == 1);
	fclose(i);
	unlink(out);
	return info;
}

TestSuite(ifinfo, .init = setup, .fini = teardown);

Test(ifinfo, veth_driver_and_offloads_follow_ethtool)
{
	cr_assert_eq(shf("ip netns exec %s ethtool -K tlv0 %s >/dev/null 2>&1", ns, "tx off tso off gso off gro off"), 0);
	struct iface_info a = query_in_ns("tlv0");
	cr_assert_str_eq(a.driver, "veth");
	cr_assert_eq(a.tx_csum, 0);
	cr_assert_eq(a.tso, 0);
	cr_assert_eq(a.gso, 0);
	cr_assert_eq(a.gro, 0);
	cr_assert_eq(shf("ip netns exec %s ethtool -K tlv0 %s >/dev/null 2>&1", ns, "tx on gso on gro on"), 0);
	struct iface_info b = query_in_ns("tlv0");
	cr_assert_eq(b.tx_csum, 1);
	cr_assert_eq(b.gso, 1);
	cr_assert_eq(b.gro, 1);
}

Test(ifinfo, missing_interface_is_a_clear_error)
{
	struct iface_info info;
	char err[256];
	cr_assert_eq(iface_info_query("tcplens-nope0", &info, err, sizeof(err)), -1);
	cr_assert(strstr(err, "no such interface"), "message was: %s", err);
}
