/*
 * The libcups peer of the IPP codec benchmark: decodes a message with ippReadIO and encodes it
 * with ippWriteIO, each repeatedly for about SECONDS of CPU time, and prints the two rates per
 * CPU-second as JSON ({"decode":N,"encode":N}), measured the same way as run.ts measures ours.
 *
 *   gcc -O2 -o ipp-libcups ipp-libcups.c $(cups-config --cflags --libs)
 *   ./ipp-libcups FILE [SECONDS]
 */
#include <cups/cups.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

typedef struct { const unsigned char *data; size_t size, pos; } source_t;
typedef struct { unsigned char *data; size_t size, pos; } sink_t;

static ssize_t read_cb(void *ctx, ipp_uchar_t *buf, size_t n) {
  source_t *s = ctx;
  size_t left = s->size - s->pos;
  if (n > left) n = left;
  memcpy(buf, s->data + s->pos, n);
  s->pos += n;
  return (ssize_t)n;
}

static ssize_t write_cb(void *ctx, ipp_uchar_t *buf, size_t n) {
  sink_t *s = ctx;
  if (s->pos + n > s->size) return -1;
  memcpy(s->data + s->pos, buf, n);
  s->pos += n;
  return (ssize_t)n;
}

static double cpu_seconds(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static ipp_t *decode(const unsigned char *data, size_t size) {
  source_t src = {data, size, 0};
  ipp_t *ipp = ippNew();
  if (ippReadIO(&src, read_cb, 1, NULL, ipp) != IPP_STATE_DATA) { fprintf(stderr, "ippReadIO failed\n"); exit(1); }
  return ipp;
}

static size_t encode(ipp_t *ipp, sink_t *out) {
  out->pos = 0;
  ippSetState(ipp, IPP_STATE_IDLE);
  if (ippWriteIO(out, write_cb, 1, NULL, ipp) != IPP_STATE_DATA) { fprintf(stderr, "ippWriteIO failed\n"); exit(1); }
  return out->pos;
}

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: %s FILE [SECONDS]\n", argv[0]); return 2; }
  double seconds = argc > 2 ? atof(argv[2]) : 1.0;
  FILE *f = fopen(argv[1], "rb");
  if (!f) { perror(argv[1]); return 1; }
  static unsigned char data[1 << 20];
  size_t size = fread(data, 1, sizeof data, f);
  fclose(f);
  sink_t out = {malloc(1 << 21), 1 << 21, 0};
  ipp_t *ipp = decode(data, size);
  if (encode(ipp, &out) != size) fprintf(stderr, "note: re-encoded %zu bytes of %zu\n", out.pos, size);

  double rates[2];
  for (int which = 0; which < 2; which++) {
    long n = 0;
    double start = cpu_seconds(), used;
    do {
      for (int i = 0; i < 20; i++) {
        if (which == 0) ippDelete(decode(data, size));
        else encode(ipp, &out);
      }
      n += 20;
      used = cpu_seconds() - start;
    } while (used < seconds);
    rates[which] = n / used;
  }
  printf("{\"decode\":%.0f,\"encode\":%.0f}\n", rates[0], rates[1]);
  ippDelete(ipp);
  free(out.data);
  return 0;
}
