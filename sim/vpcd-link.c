/*
 * The vpcd wire: framing over a TCP connection to the IFD handler.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "vpcd-link.h"

int vpcd_connect(uint16_t port)
{
	struct sockaddr_in addr;
	int fd, one = 1, saved_errno;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons(port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		saved_errno = errno;
		close(fd);
		errno = saved_errno;
		return -1;
	}
	/* One small frame per APDU: Nagle would only add latency. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* 0: all read; 1: EOF before the first byte; -1: error or EOF midway. */
static int read_exactly(int fd, uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t got = read(fd, buf + done, len - done);

		if (got < 0)
			return -1; /* EINTR included: the caller checks why */
		if (got == 0)
			return done == 0 ? 1 : -1;
		done += (size_t)got;
	}
	return 0;
}

int vpcd_read_frame(int fd, uint8_t *buf, size_t cap, size_t *len)
{
	int one_for_quickack = 1;
	uint8_t header[2];
	size_t frame_len;
	int rc;

	*len = 0;
	rc = read_exactly(fd, header, sizeof(header));
	if (rc != 0)
		return rc;
	frame_len = (size_t)header[0] << 8 | header[1];
	if (frame_len > cap)
		return -1;
	/* vpcd writes the length and the payload separately without TCP_NODELAY:
	 * its payload waits for our ACK of the length, which Linux would delay by
	 * up to 40 ms per APDU. Acknowledge now (the option is not sticky). */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one_for_quickack, sizeof(one_for_quickack));
	if (frame_len > 0 && read_exactly(fd, buf, frame_len) != 0)
		return -1;
	*len = frame_len;
	return 0;
}

int vpcd_write_frame(int fd, const uint8_t *payload, size_t len)
{
	uint8_t *frame;
	size_t done = 0;
	int rc = 0;

	if (len > VPCD_MAX_FRAME)
		return -1;
	/* One write for header and payload, so vpcd never sees half a frame. */
	frame = malloc(len + 2);
	if (frame == NULL)
		return -1;
	frame[0] = (uint8_t)(len >> 8);
	frame[1] = (uint8_t)(len & 0xFF);
	memcpy(frame + 2, payload, len);
	while (done < len + 2) {
		ssize_t sent = send(fd, frame + done, len + 2 - done, MSG_NOSIGNAL);

		if (sent < 0 && errno == EINTR)
			continue;
		if (sent <= 0) {
			rc = -1;
			break;
		}
		done += (size_t)sent;
	}
	free(frame);
	return rc;
}

static bool port_is_free(uint16_t port)
{
	struct sockaddr_in addr;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool free_now;

	if (fd < 0)
		return false;
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons(port);
	addr.sin_addr.s_addr = htonl(INADDR_ANY);
	free_now = bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
	close(fd);
	return free_now;
}

int vpcd_find_free_port(uint16_t lowest, uint16_t highest)
{
	unsigned span = (unsigned)highest - lowest + 1;
	unsigned attempt;
	struct timespec now;

	if (highest < lowest)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	srand((unsigned)now.tv_nsec ^ (unsigned)getpid());
	if (span < 2)
		return -1;
	for (attempt = 0; attempt < 64; attempt++) {
		uint16_t port = (uint16_t)(lowest + (unsigned)rand() % (span - 1));

		/* vpcd serves its second slot on the next port. */
		if (port_is_free(port) && port_is_free((uint16_t)(port + 1)))
			return port;
	}
	return -1;
}
