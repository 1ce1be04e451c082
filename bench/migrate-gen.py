#!/usr/bin/env python3
"""Generates a V1 store (docker-registry layout) for bench/migrate-bench.sh.

usage: migrate-gen.py ROOT TOTAL_MIB LAYER_MIB gzip|xz

Layers are real tars of half random, half repetitive text (compresses ~2:1, like typical
images), stored as gzip (docker 0.6-17.x) or xz (docker 0.4/0.5), with the registry's
json, ancestry and _checksum; chains of 4 images per tag.
"""
import gzip, hashlib, io, json, os, subprocess, sys, tarfile

root, total_mib, layer_mib, fmt = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rnd = os.urandom(1 << 20)
text = (b"lorem ipsum dolor sit amet, consectetur adipiscing elit %d\n" * 1).join([b""] * 1)

def layer_tar(seed, mib):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
        for i in range(mib):
            half = rnd[(seed * 7919 + i * 104729) % (1 << 19):][: 1 << 19]
            txt = (b"line %08d of file %d in layer %d: the quick brown fox\n" % (i, i, seed)) * 8000
            data = half + txt[: 1 << 19]
            ti = tarfile.TarInfo("usr/share/l%d/f%d.bin" % (seed, i))
            ti.size, ti.mtime = len(data), 1420034400
            t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()

def compress(tar):
    if fmt == "gzip":
        return gzip.compress(tar, compresslevel=1, mtime=0)
    return subprocess.run(["xz", "-0", "-T2", "-c"], input=tar, stdout=subprocess.PIPE, check=True).stdout

def put(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)

n = max(1, total_mib // layer_mib)
parent = None
for i in range(n):
    iid = hashlib.sha256(b"bench-%s-%d" % (fmt.encode(), i)).hexdigest()
    if i % 4 == 0:
        parent = None
    j = {"id": iid, "created": "2015-05-12T08:30:00Z", "container_config": {"Cmd": ["/bin/sh", "-c", "step %d" % i]},
         "architecture": "amd64", "os": "linux", "Size": layer_mib << 20}
    if parent:
        j["parent"] = parent
    jb = json.dumps(j, separators=(",", ":")).encode() + b"\n"
    stored = compress(layer_tar(i, layer_mib))
    d = os.path.join(root, "images", iid)
    put(d + "/json", jb)
    put(d + "/layer", stored)
    put(d + "/_checksum", json.dumps(["sha256:" + hashlib.sha256(jb + b"\n" + stored).hexdigest()]).encode())
    anc, p = [iid], parent
    put(d + "/ancestry", json.dumps([iid] + ([parent] if parent else [])).encode())
    parent = iid
    if i % 4 == 3 or i == n - 1:
        put(os.path.join(root, "repositories", "bench", "app%d" % (i // 4), "tag_latest"), iid.encode())
