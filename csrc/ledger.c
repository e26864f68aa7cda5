/* The frame-ownership ledger: see ledger.h for the rules it checks. */
#include "ledger.h"

#include <string.h>

/* Different per frame so a canary copied from another frame still fails. */
#define CANARY_SALT 0x9e3779b97f4a7c15ull

struct canary {
	uint64_t value;
	uint32_t zero;
	uint32_t magic;
};

void ledger_init(struct ledger *l, uint8_t *area, uint64_t area_size, uint32_t frame_count,
		 uint32_t frame_size, uint32_t rx_offset, uint8_t *owner)
{
	memset(l, 0, sizeof(*l));
	l->area = area;
	l->area_size = area_size;
	l->frame_count = frame_count;
	l->frame_size = frame_size;
	l->rx_offset = rx_offset;
	l->owner = owner;
	memset(owner, OWNER_NONE, frame_count);
}

void ledger_give_initial(struct ledger *l, uint64_t addr)
{
	l->owner[addr / l->frame_size] = OWNER_KERNEL;
}

uint8_t *ledger_canary_slot(struct ledger *l, uint64_t frame)
{
	/* Our metadata slot, right in front of where the packet belongs. */
	uint32_t off = l->rx_offset >= LEDGER_CANARY_SIZE ? l->rx_offset - LEDGER_CANARY_SIZE : 0;

	return l->area + frame + off;
}

static struct canary canary_for(uint64_t frame)
{
	return (struct canary){ .value = frame ^ CANARY_SALT, .zero = 0, .magic = LEDGER_CANARY_MAGIC };
}

static int violate(struct ledger *l, int kind, uint64_t addr)
{
	if (l->count[kind]++ == 0) {
		l->first[kind].addr = addr;
		l->first[kind].descriptor = l->descriptors;
	}
	return kind;
}

int ledger_take(struct ledger *l, uint64_t addr, uint32_t len, uint64_t *frame_out)
{
	struct canary c;
	uint64_t idx, frame;

	l->descriptors++;
	*frame_out = UINT64_MAX;
	if (l->held >= l->frame_count)
		return violate(l, LEDGER_OVERHELD, addr);
	if (addr >= l->area_size || len > l->area_size - addr)
		return violate(l, LEDGER_FOREIGN, addr);
	idx = addr / l->frame_size;
	frame = idx * l->frame_size;
	if (l->owner[idx] == OWNER_USER)
		return violate(l, LEDGER_DUPLICATE, addr);
	if (l->owner[idx] != OWNER_KERNEL)
		return violate(l, LEDGER_FOREIGN, addr);

	/* A real frame the kernel owned: it is the user's now, whatever else is wrong. */
	l->owner[idx] = OWNER_USER;
	l->held++;
	if (l->taken_at)
		l->taken_at[idx] = l->descriptors;
	c = canary_for(frame);
	memcpy(ledger_canary_slot(l, frame), &c, sizeof(c));
	*frame_out = frame;
	if (addr - frame != l->rx_offset || addr - frame + len > l->frame_size)
		return violate(l, LEDGER_MISALIGNED, addr);
	return LEDGER_OK;
}

int ledger_give(struct ledger *l, uint64_t addr)
{
	struct canary want, got;
	uint64_t idx, frame;
	int ret = LEDGER_OK;

	if (addr >= l->area_size)
		return LEDGER_FOREIGN;
	idx = addr / l->frame_size;
	frame = idx * l->frame_size;
	if (l->owner[idx] != OWNER_USER)
		return LEDGER_DUPLICATE; /* never put a frame on the fill ring twice */
	want = canary_for(frame);
	memcpy(&got, ledger_canary_slot(l, frame), sizeof(got));
	if (memcmp(&want, &got, sizeof(want))) {
		ret = violate(l, LEDGER_CLOBBER, frame + l->rx_offset);
		if (l->count[LEDGER_CLOBBER] == 1 && l->taken_at)
			l->first[LEDGER_CLOBBER].descriptor = l->taken_at[idx];
	}
	l->owner[idx] = OWNER_KERNEL;
	l->held--;
	return ret;
}

int ledger_unterminated(struct ledger *l, uint64_t addr)
{
	return violate(l, LEDGER_UNTERMINATED, addr);
}
