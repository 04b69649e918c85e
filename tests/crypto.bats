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

# A fixed run over the fixtures: units, events, a dispatch, updates, and a
# vote with a fixed key.
fixed_run() {
	local F="$FIXTURES"
	ft-ingest -k units "$F/ft-update/units.ndjson" > /dev/null
	ft-ingest "$F/ft-update/events.ndjson" > /dev/null
	ft-dispatch --rules "$F/ft-update/rules.json" \
		--now 2026-11-21T00:00:00Z --pending > /dev/null
	ft-update "$F/ft-update/updates.csv" > /dev/null
	printf '%s\n' 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f > vote.key
	chmod 600 vote.key
	ft-ingest -k units "$F/ft-vote/units.ndjson" > /dev/null
	ft-vote open --key vote.key --now 2026-11-01T00:00:00Z "$F/ft-vote/round.json" > /dev/null
	ft-vote projects 2027-futian --now 2026-11-01T00:00:00Z "$F/ft-vote/projects.ndjson" > /dev/null
	ft-vote register 2027-futian --key vote.key --now 2026-11-01T00:00:00Z "$F/ft-vote/voters.csv" > /dev/null
	ft-vote cast 2027-futian --key vote.key --now 2026-11-15T00:00:00Z "$F/ft-vote/ballots.ndjson" > /dev/null
	ft-vote tally 2027-futian --now 2026-11-21T00:00:00Z > /dev/null
}

@test "crypto digests: a fixed run stores the history hashes, tags and tally digest earlier versions stored" {
	run -0 fixed_run
	run -0 --separate-stderr ft-update --verify
	run -0 sql "SELECT hash FROM history ORDER BY seq DESC LIMIT 1"
	[ "$output" = 6c407e008576ef10d425a0b9c20a013d378ce675c5c34f94eb34bb87128397fe ]
	run -0 sql "SELECT group_concat(voter, ' ') FROM (SELECT voter FROM voters ORDER BY voter)"
	[ "$output" = '150d8812eafbafb7c89cda5194324271231243537458110f914239294928f04b 4017c56b1b6ef191547b0288e4df47d86e6a2df36b25f9d1d0495a555a7879eb 463d84076619335be5f8cbd32a45602a7252c74f441cb653c7b12a60b868fb0e c7499fac2c08d4aa1ccd644e359edf82b1d4584fd604ee9eb6d08f2e3e843837 f3f8c98dc0d83922694a1c2d5b01cbcb9e351137f57c957483055d11734b9578' ]
	run -0 sql "SELECT group_concat(tag, ' ') FROM (SELECT tag FROM ballots ORDER BY tag)"
	[ "$output" = '6d4d0661c60b2b6f478bf1591e37e83676fc42079324d7cd48f1ca5a47d77b74 9ab770035926e1a4b58787dbbeabe4a932f2ecc9a0f9a8533fb6fe388047fb2a e54d0663002d3f5463ba356e68aa42853fae8e89eaf2ce5976fbcf3516124483' ]
	run -0 sql "SELECT digest FROM tallies"
	[ "$output" = 9dbff1fe721409028d13e6392c7b79941478ffddc2b97d152d6b0faedefee3c4 ]
}
