// SPDX-License-Identifier: GPL-2.0
/* Load weak_probe.bpf.o and run it once with BPF_PROG_TEST_RUN. Prints what
 * resolved; exits 0 if the object loaded. With the kfunc series the kfunc
 * returns -EOPNOTSUPP (-95) here: BPF_PROG_TEST_RUN is not a steering run.
 */
#include <stdio.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "weak_probe.skel.h"

int main(void)
{
	char pkt[64] = { 0 };
	struct weak_probe *s;
	int err;

	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt,
		    .data_size_in = sizeof(pkt), .repeat = 1);

	pkt[12] = 0x08; /* EtherType IPv4 */
	s = weak_probe__open_and_load();
	if (!s) {
		printf("weak_probe: LOAD FAILED\n");
		return 1;
	}
	err = bpf_prog_test_run_opts(bpf_program__fd(s->progs.probe), &o);
	printf("weak_probe: loaded; test_run=%d have_kfunc=%d have_v1=%d ret=%d ret_v1=%d\n",
	       err, s->data->have_kfunc, s->data->have_v1, s->data->ret,
	       s->data->ret_v1);
	weak_probe__destroy(s);
	return err ? 1 : 0;
}
