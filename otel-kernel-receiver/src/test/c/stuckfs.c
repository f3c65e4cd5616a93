// A FUSE file system that never answers the agent: one executable file, "prog", served to every
// process except those of the agent's process, whose requests wait for ever (until unmounted).
// It stands for an NFS server gone away or a hostile FUSE mount, for the hasher's tests.
//   stuckfs <mountpoint> <executable to serve> <agent pid>
#define FUSE_USE_VERSION 31
#include <errno.h>
#include <fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *content;
static size_t content_size;
static pid_t agent;

// Whether the calling thread belongs to the agent (FUSE gives the caller's thread id).
static int from_agent(void) {
  char path[64], line[256];
  snprintf(path, sizeof(path), "/proc/%d/status", fuse_get_context()->pid);
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  int tgid = -1;
  while (fgets(line, sizeof(line), f))
    if (sscanf(line, "Tgid: %d", &tgid) == 1) break;
  fclose(f);
  return tgid == agent;
}

static void hold_if_agent(void) {
  if (!from_agent()) return;
  fprintf(stderr, "holding a request of the agent (thread %d)\n", fuse_get_context()->pid);
  for (;;) pause(); // a server that never answers
}

static int fs_getattr(const char *p, struct stat *st, struct fuse_file_info *fi) {
  (void)fi;
  memset(st, 0, sizeof(*st));
  if (strcmp(p, "/") == 0) {
    st->st_mode = S_IFDIR | 0755;
    st->st_nlink = 2;
    return 0;
  }
  if (strcmp(p, "/prog") != 0) return -ENOENT;
  hold_if_agent();
  st->st_mode = S_IFREG | 0755;
  st->st_nlink = 1;
  st->st_size = content_size;
  return 0;
}

static int fs_open(const char *p, struct fuse_file_info *fi) {
  if (strcmp(p, "/prog") != 0) return -ENOENT;
  hold_if_agent();
  fi->keep_cache = 0;
  return 0;
}

static int fs_read(const char *p, char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
  (void)p; (void)fi;
  hold_if_agent();
  if ((size_t)off >= content_size) return 0;
  if (off + size > content_size) size = content_size - off;
  memcpy(buf, content + off, size);
  return size;
}

static int fs_readdir(const char *p, void *buf, fuse_fill_dir_t fill, off_t off, struct fuse_file_info *fi,
                      enum fuse_readdir_flags flags) {
  (void)off; (void)fi; (void)flags;
  if (strcmp(p, "/") != 0) return -ENOENT;
  fill(buf, ".", NULL, 0, 0);
  fill(buf, "..", NULL, 0, 0);
  fill(buf, "prog", NULL, 0, 0);
  return 0;
}

static void *fs_init(struct fuse_conn_info *conn, struct fuse_config *cfg) {
  (void)conn;
  cfg->attr_timeout = 0; // every stat comes here
  cfg->entry_timeout = 0;
  cfg->negative_timeout = 0;
  return NULL;
}

static const struct fuse_operations ops = {
    .init = fs_init, .getattr = fs_getattr, .open = fs_open, .read = fs_read, .readdir = fs_readdir};

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: stuckfs <mountpoint> <executable> <agent pid>\n");
    return 2;
  }
  FILE *f = fopen(argv[2], "rb");
  if (!f) return perror(argv[2]), 1;
  fseek(f, 0, SEEK_END);
  content_size = ftell(f);
  rewind(f);
  content = malloc(content_size);
  if (fread(content, 1, content_size, f) != content_size) return perror("read"), 1;
  fclose(f);
  agent = atoi(argv[3]);
  // foreground, multithreaded (a held request must not hold the others), allow others to exec
  char *fargs[] = {argv[0], "-f", "-o", "allow_other,default_permissions", argv[1], NULL};
  return fuse_main(5, fargs, &ops, NULL);
}
