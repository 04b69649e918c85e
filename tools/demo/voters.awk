# tools/demo/voters.awk - the residents of the demo's participatory-budgeting
# round, and their ballots.  No input; run as
#
#   awk -v n=360 -v dir=demo -f tools/demo/voters.awk
#
# Writes, in DIR:
#   vote-voters.ndjson  the voter list: {"voter": a mobile number, "unit":
#                       their community} for voters 1..N, then one resident
#                       registered at the district itself, which is not in
#                       the round's scope (rejected on purpose)
#   vote-online.ndjson  the ballots cast online, with their cast_at; one of
#                       them names four projects where three is the most
#                       (rejected on purpose)
#   vote-paper.csv      the paper ballots from the booths (voter,projects,
#                       points,channel,cast_at; the channel left to
#                       --channel paper); the last is cast by a voter who
#                       had already voted online (rejected on purpose)
# and prints the counts as NAME=VALUE lines.
#
# Everything comes from one Park-Miller generator with a fixed seed, so the
# same N always gives the same files.  The streets have their own
# preferences: the first three (ft-s1..ft-s3) want the big
# projects (lifts, the pocket park, the canteen), the fourth (ft-s4, a
# quarter of the voters) small ones of its own (the playground, the market
# canopy, the book room), so that counting by votes (greedy) and by equal
# shares (mes) choose differently.

function rnd() {
	seed = (seed * 16807) % 2147483647
	return seed / 2147483647
}

function json_list(s,    a, k, i, o) {
	k = split(s, a, ",")
	o = ""
	for (i = 1; i <= k; i++)
		o = o (i > 1 ? "," : "") "\"" a[i] "\""
	return "[" o "]"
}

# ballot(S): the projects a voter of street S approves, at most 3, in the
# order of the street's list; never none.
function ballot(st,    a, k, i, p, o, m) {
	k = split(prefs[st], a, " ")
	o = ""
	m = 0
	for (i = 1; i <= k; i++) {
		split(a[i], p, ":")
		if (rnd() * 100 < p[2] + 0 && m < 3) {
			o = o (m ? "," : "") p[1]
			m++
		}
	}
	if (!m) {
		split(a[1], p, ":")
		o = p[1]
	}
	return o
}

BEGIN {
	if (n == "" || dir == "") {
		print "usage: awk -v n=N -v dir=DIR -f voters.awk" > "/dev/stderr"
		exit 64
	}
	seed = 20260901
	# project:percent of a street's voters who approve it
	prefs[1] = "p3:70 p1:65 p2:45 p5:35 p7:10"
	prefs[2] = "p2:75 p3:55 p1:30 p6:25 p5:15"
	prefs[3] = "p3:75 p2:55 p7:45 p1:20"
	prefs[4] = "p4:75 p8:65 p6:45 p3:15 p7:10"
	split("138 139 150 186 135 177 158 189", pre, " ")

	vf = dir "/vote-voters.ndjson"
	of = dir "/vote-online.ndjson"
	pf = dir "/vote-paper.csv"
	printf "" > vf
	printf "" > of
	print "voter,projects,points,channel,cast_at" > pf
	online = paper = abstain = 0
	for (i = 1; i <= n; i++) {
		st = 1 + i % 4
		cm = 1 + int(i / 4) % 4
		id = sprintf("%s%04d%04d", pre[1 + int(rnd() * 8)],
			     int(rnd() * 10000), i)
		printf "{\"voter\":\"%s\",\"unit\":\"ft-s%d-c%d\"}\n", id, st,
		       cm > vf
		if (i % 10 == 7) {
			# stays at home; the first of them spoils a ballot below
			if (!spoiler)
				spoiler = id
			abstain++
			continue
		}
		b = ballot(st)
		if (i % 3 == 0) {
			printf "%s,\"%s\",,,\n", id, b > pf
			paper++
		} else {
			# online, over the first nine days, 09:00-22:59 Beijing time
			printf "{\"voter\":\"%s\",\"projects\":%s,\"cast_at\":" \
			       "\"2026-09-%02dT%02d:%02d:00+08:00\"}\n", id,
			       json_list(b), 1 + int(rnd() * 9), 9 + int(rnd() * 14),
			       int(rnd() * 60) > of
			if (!twice)
				twice = id
			online++
			if (online == int(n / 4))
				printf "{\"voter\":\"%s\",\"projects\":" \
				       "[\"p1\",\"p2\",\"p3\",\"p4\"]," \
				       "\"cast_at\":\"2026-09-05T12:00:00+08:00\"}\n",
				       spoiler > of
		}
	}
	# registered at the district itself: not one of the scope's streets
	printf "{\"voter\":\"13700000000\",\"unit\":\"ft\"}\n" > vf
	# at a booth on the last day, having voted online on the first
	printf "%s,\"p4,p8\",,,\n", twice > pf
	print "voters=" n
	print "voters_out_of_scope=1"
	print "ballots_online=" online
	print "ballots_online_bad=1"
	print "ballots_paper=" paper
	print "ballots_paper_twice=1"
	print "abstained=" abstain
	print "voter_first=" twice
}
