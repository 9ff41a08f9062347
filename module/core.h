/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The arithmetic and the confirmation rule of docs/design.md, free of any
 * module state so that the kernel series can carry the same code.
 *
 * Checksum values here are 16-bit one's-complement numbers normalized to
 * 0..0xfffe: 0xffff and 0 are the same number, and 0 is the one kept.
 */
#ifndef _XFRM_CSUM_CORE_H
#define _XFRM_CSUM_CORE_H

#include <linux/types.h>
#include <net/checksum.h>

static inline u16 xfrm_csum_norm(u32 v)
{
	v = (v & 0xffff) + (v >> 16);
	v = (v & 0xffff) + (v >> 16);
	return v == 0xffff ? 0 : v;
}

static inline u16 xfrm_csum_add16(u16 a, u16 b)
{
	return xfrm_csum_norm((u32)a + b);
}

static inline u16 xfrm_csum_sub16(u16 a, u16 b)
{
	return xfrm_csum_norm((u32)a + (u16)~b);
}

/* The normalized value of a 32-bit partial sum. */
static inline u16 xfrm_csum_wsum16(__wsum sum)
{
	return xfrm_csum_norm((__force u32)sum);
}

/* One's-complement sum of an address of @len bytes (4 or 16). */
static inline u16 xfrm_csum_addr16(const void *addr, int len)
{
	return xfrm_csum_wsum16(csum_partial(addr, len, 0));
}

#define XFRM_CSUM_CANDIDATES	4

/**
 * struct xfrm_csum_votes - NAT differences implied by the packets of an SA
 *	while its own is not known (docs/design.md, "Confirmed")
 * @k: candidate values
 * @n: votes per candidate (0: free slot), saturating
 * @last: the value of the most recent vote
 * @run: consecutive votes for @last, saturating
 * @fresh: votes that brought a value not among the candidates, saturating
 */
struct xfrm_csum_votes {
	u16 k[XFRM_CSUM_CANDIDATES];
	u8 n[XFRM_CSUM_CANDIDATES];
	u16 last;
	u8 run;
	u8 fresh;
};

/* Most extra agreeing votes a disagreeing history can demand. */
#define XFRM_CSUM_STRAY_MAX	8

enum xfrm_csum_vote {
	XFRM_CSUM_VOTE_PENDING,
	XFRM_CSUM_VOTE_CONFIRMED,
	XFRM_CSUM_VOTE_CONFLICT,
};

static inline void xfrm_csum_votes_reset(struct xfrm_csum_votes *v)
{
	memset(v, 0, sizeof(*v));
}

/**
 * xfrm_csum_votes_add - count one packet's vote
 * @v: the SA's votes
 * @k: the NAT difference the packet implies
 * @confirm: agreeing votes in a row that confirm a value (2 or more)
 *
 * A value is confirmed when the last @confirm + s votes agree on it, s
 * being the number of other values the votes have shown beyond the first
 * (at most XFRM_CSUM_STRAY_MAX), and no other candidate has two votes or
 * more.  Stray votes are corrupted packets with errors of their own: one
 * is tolerated, every further one asks for a longer run, so that a peer
 * whose every packet is corrupted does not get a value confirmed by two
 * errors that happen to agree.  Two
 * candidates with two votes or more each is a conflict: both recur, so
 * the packets carry corruption with a constant error, and nothing tells
 * which one is the NAT.  When all slots are taken, a new value replaces
 * the candidate with the fewest votes.
 *
 * Return: what the votes say now; on XFRM_CSUM_VOTE_CONFIRMED the value is
 * @k.
 */
static inline enum xfrm_csum_vote
xfrm_csum_votes_add(struct xfrm_csum_votes *v, u16 k, unsigned int confirm)
{
	int i, slot = -1, low = 0;

	for (i = 0; i < XFRM_CSUM_CANDIDATES; i++) {
		if (v->n[i] && v->k[i] == k) {
			slot = i;
			break;
		}
		if (v->n[i] < v->n[low])
			low = i;
	}
	if (slot < 0) {
		slot = low;
		v->k[slot] = k;
		v->n[slot] = 0;
		if (v->fresh < U8_MAX)
			v->fresh++;
	}
	if (v->n[slot] < U8_MAX)
		v->n[slot]++;

	if (v->run && v->last == k) {
		if (v->run < U8_MAX)
			v->run++;
	} else {
		v->last = k;
		v->run = 1;
	}

	for (i = 0; i < XFRM_CSUM_CANDIDATES; i++)
		if (i != slot && v->n[i] >= 2 && v->n[slot] >= 2)
			return XFRM_CSUM_VOTE_CONFLICT;
	/* a run of two or more means two votes: no competitor has two */
	if (v->run >= confirm + clamp_t(int, v->fresh - 2, 0,
					XFRM_CSUM_STRAY_MAX))
		return XFRM_CSUM_VOTE_CONFIRMED;
	return XFRM_CSUM_VOTE_PENDING;
}

#endif /* _XFRM_CSUM_CORE_H */
