#!/usr/bin/env bats
# The digests the toolkit stores: SHA-256 and HMAC-SHA-256 against their
# published test vectors (FIPS 180-4, RFC 4231), and a fixed run whose
# history chain, voter and ballot tags and tally digest must stay those
# earlier versions stored, so that every existing database keeps verifying.

bats_require_minimum_version 1.5.0
load helpers/common

setup() {
	common_setup
	cd "$BATS_TEST_TMPDIR" || exit 1
	# Built by make check beside the tools (bin/ holds links to them).
	DIGEST="$(dirname "$(readlink -f "$FT_BIN/ft-ingest")")/../test/ft-digest"
}

# hex TEXT: TEXT's bytes in hex.
hex() {
	printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'
}

# rep BYTE N: the hex of BYTE repeated N times.
rep() {
	local i s=
	for ((i = 0; i < $2; i++)); do s+=$1; done
	printf '%s' "$s"
}

@test "crypto sha256: the FIPS 180-4 examples" {
	run -0 "$DIGEST" sha256 ""
	[ "$output" = e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 ]
	run -0 "$DIGEST" sha256 "$(hex abc)"
	[ "$output" = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad ]
	run -0 "$DIGEST" sha256 "$(hex abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq)"
	[ "$output" = 248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1 ]
	run -0 "$DIGEST" sha256 61 1000000
	[ "$output" = cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0 ]
}

@test "crypto hmac: the RFC 4231 test cases 1 to 7" {
	run -0 "$DIGEST" hmac "$(rep 0b 20)" "$(hex 'Hi There')"
	[ "$output" = b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7 ]
	run -0 "$DIGEST" hmac "$(hex Jefe)" "$(hex 'what do ya want for nothing?')"
	[ "$output" = 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843 ]
	run -0 "$DIGEST" hmac "$(rep aa 20)" "$(rep dd 50)"
	[ "$output" = 773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe ]
	run -0 "$DIGEST" hmac 0102030405060708090a0b0c0d0e0f10111213141516171819 "$(rep cd 50)"
	[ "$output" = 82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b ]
	# Case 5 gives the first 128 bits only.
	run -0 "$DIGEST" hmac "$(rep 0c 20)" "$(hex 'Test With Truncation')"
	[ "${output:0:32}" = a3b6167473100ee06e0c796c2955552b ]
	run -0 "$DIGEST" hmac "$(rep aa 131)" "$(hex 'Test Using Larger Than Block-Size Key - Hash Key First')"
	[ "$output" = 60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54 ]
	run -0 "$DIGEST" hmac "$(rep aa 131)" "$(hex 'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.')"
	[ "$output" = 9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2 ]
}

# fixtures/crypto-v6.db.gz was made by the tools before SHA-256 and HMAC
# came from Nettle (6ca57fc), with FT_NOW 2026-11-25T12:00:00Z and FT_USER
# tester: units and the five events of fixtures/ft-update loaded,
# dispatched --pending (--now 2026-11-21T00:00:00Z) by its rules.json, its
# updates.csv applied; then the round of fixtures/ft-vote opened
# (--now 2026-11-01T00:00:00Z) with the key of KEY below, its projects and
# voters.csv, ballots.ndjson cast (--now 2026-11-15T00:00:00Z) and counted
# (--now 2026-11-21T00:00:00Z).  Its 15 history entries end in HEAD, and
# the count's digest is TALLY.
KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
HEAD=6c407e008576ef10d425a0b9c20a013d378ce675c5c34f94eb34bb87128397fe
TALLY=9dbff1fe721409028d13e6392c7b79941478ffddc2b97d152d6b0faedefee3c4

@test "crypto digests: a database made before Nettle still verifies, its voters and ballots are recognised, its count recounts" {
	gzip -dc "$FIXTURES/crypto-v6.db.gz" > "$FT_DB"
	printf '%s\n' "$KEY" > vote.key
	chmod 600 vote.key
	run -0 --separate-stderr ft-update --verify
	[ "$output" = "{\"entries\":15,\"head\":\"$HEAD\"}" ]
	# The same voters and ballots, hashed again, are the stored ones.
	run -0 --separate-stderr ft-vote register 2027-futian --key vote.key --now 2026-11-01T00:00:00Z "$FIXTURES/ft-vote/voters.csv"
	[ "$stderr" = "ft-vote: 2027-futian: 0 voters registered, 5 unchanged, 0 rejected" ]
	run -0 --separate-stderr ft-vote cast 2027-futian --key vote.key --now 2026-11-15T00:00:00Z "$FIXTURES/ft-vote/ballots.ndjson"
	[ "$stderr" = "ft-vote: 2027-futian: 0 ballots cast, 0 replaced, 3 unchanged, 0 rejected" ]
	run -0 --separate-stderr ft-vote recount 2027-futian
	[ "$output" = "{\"round\":\"2027-futian\",\"tally\":1,\"rule\":\"greedy\",\"digest\":\"$TALLY\",\"same\":true}" ]
	[ "$stderr" = "ft-vote: 2027-futian: 1 count recounted, all the same" ]
}
