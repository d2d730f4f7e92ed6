// Native round trip through the libsrtp bridge (subprojects/libsrtp3/include/srtp.h) against Debian's libsrtp 2.5,
// calling exactly the libsrtp 3 signatures mediasoup's SrtpSession uses. Built and run by
// test/unit/native-build.test.ts: g++ -std=c++17 -I<bridge include> srtp-roundtrip.cpp -lsrtp2.
// Prints one "ok" line per check and exits 0; any failed check prints "FAIL ..." and exits 1.
#include <srtp.h>

#include <arpa/inet.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

static int failures = 0;

static void check(bool ok, const char* what, srtp_err_status_t err = srtp_err_status_ok)
{
	std::printf("%s %s (status %d)\n", ok ? "ok" : "FAIL", what, static_cast<int>(err));
	if (!ok)
		++failures;
}

struct Profile
{
	const char* name;
	void (*set)(srtp_crypto_policy_t*);
	size_t keyLen;
};

static srtp_t makeSession(const Profile& profile, srtp_ssrc_type_t direction, uint8_t* key)
{
	srtp_policy_t policy;
	std::memset(&policy, 0, sizeof(policy));
	profile.set(&policy.rtp);
	profile.set(&policy.rtcp);
	policy.ssrc.type = direction;
	policy.key = key;
	policy.allow_repeat_tx = 1; // as mediasoup: retransmissions without RTX
	policy.window_size = 1024;
	srtp_t session = nullptr;
	const srtp_err_status_t err = srtp_create(&session, &policy);
	check(err == srtp_err_status_ok, "srtp_create", err);
	return session;
}

static void roundTrip(const Profile& profile)
{
	std::printf("# %s\n", profile.name);
	std::vector<uint8_t> key(profile.keyLen);
	for (size_t i = 0; i < key.size(); ++i)
		key[i] = static_cast<uint8_t>(i * 7 + 1);
	srtp_t sender = makeSession(profile, ssrc_any_outbound, key.data());
	srtp_t receiver = makeSession(profile, ssrc_any_inbound, key.data());
	const uint32_t ssrc = 0x11223344;

	// RTP: version 2, PT 96, seq 1, ts 1000, the SSRC, 160 bytes of payload.
	std::vector<uint8_t> rtp(12 + 160);
	rtp[0] = 0x80;
	rtp[1] = 96;
	rtp[3] = 1;
	rtp[7] = 0xe8;
	rtp[6] = 0x03;
	const uint32_t nssrc = htonl(ssrc);
	std::memcpy(&rtp[8], &nssrc, 4);
	for (size_t i = 12; i < rtp.size(); ++i)
		rtp[i] = static_cast<uint8_t>(i);

	// Protect into a separate buffer (mediasoup's EncryptBuffer), as libsrtp 3 does.
	std::vector<uint8_t> srtp(rtp.size() + SRTP_MAX_TRAILER_LEN);
	size_t srtpLen = srtp.size();
	srtp_err_status_t err = srtp_protect(sender, rtp.data(), rtp.size(), srtp.data(), &srtpLen, 0);
	check(err == srtp_err_status_ok && srtpLen > rtp.size(), "SRTP protect adds the auth tag", err);
	check(std::memcmp(srtp.data() + 12, rtp.data() + 12, 160) != 0, "SRTP payload is encrypted");
	std::vector<uint8_t> captured(srtp.begin(), srtp.begin() + static_cast<long>(srtpLen));

	// Unprotect in place (mediasoup passes the same buffer for input and output).
	size_t plainLen = srtpLen;
	err = srtp_unprotect(receiver, srtp.data(), srtpLen, srtp.data(), &plainLen);
	check(err == srtp_err_status_ok && plainLen == rtp.size() && std::memcmp(srtp.data(), rtp.data(), rtp.size()) == 0, "SRTP unprotect restores the packet", err);

	// The same packet again is a replay.
	std::vector<uint8_t> replay = captured;
	size_t replayLen = replay.size();
	err = srtp_unprotect(receiver, replay.data(), replay.size(), replay.data(), &replayLen);
	check(err == srtp_err_status_replay_fail, "SRTP replay is rejected", err);

	// A tampered packet (a new sequence number, so not a replay) fails authentication.
	rtp[3] = 2;
	std::vector<uint8_t> tampered(rtp.size() + SRTP_MAX_TRAILER_LEN);
	size_t tamperedLen = tampered.size();
	err = srtp_protect(sender, rtp.data(), rtp.size(), tampered.data(), &tamperedLen, 0);
	check(err == srtp_err_status_ok, "SRTP protect of a second packet", err);
	tampered[20] ^= 0x01;
	err = srtp_unprotect(receiver, tampered.data(), tamperedLen, tampered.data(), &tamperedLen);
	check(err == srtp_err_status_auth_fail, "tampered SRTP fails authentication", err);

	// Too small an output buffer is refused before libsrtp could write past it.
	std::vector<uint8_t> small(rtp.size());
	size_t smallLen = small.size();
	err = srtp_protect(sender, rtp.data(), rtp.size(), small.data(), &smallLen, 0);
	check(err == srtp_err_status_buffer_small, "protect into a too small buffer is refused", err);
	size_t mkiLen = srtp.size();
	err = srtp_protect(sender, rtp.data(), rtp.size(), srtp.data(), &mkiLen, 1);
	check(err == srtp_err_status_bad_mki, "an MKI index is refused (mediasoup uses none)", err);

	// RTCP: a receiver report (V=2, RC=0, PT=201, length 1 word) from the SSRC, plus 20 bytes.
	std::vector<uint8_t> rtcp(8 + 20);
	rtcp[0] = 0x80;
	rtcp[1] = 201;
	rtcp[3] = static_cast<uint8_t>(rtcp.size() / 4 - 1);
	std::memcpy(&rtcp[4], &nssrc, 4);
	for (size_t i = 8; i < rtcp.size(); ++i)
		rtcp[i] = static_cast<uint8_t>(255 - i);
	std::vector<uint8_t> srtcp(rtcp.size() + SRTP_MAX_TRAILER_LEN + 4);
	size_t srtcpLen = srtcp.size();
	err = srtp_protect_rtcp(sender, rtcp.data(), rtcp.size(), srtcp.data(), &srtcpLen, 0);
	check(err == srtp_err_status_ok && srtcpLen > rtcp.size(), "SRTCP protect adds index and tag", err);
	std::vector<uint8_t> srtcpCopy(srtcp.begin(), srtcp.begin() + static_cast<long>(srtcpLen));
	size_t rtcpLen = srtcpLen;
	err = srtp_unprotect_rtcp(receiver, srtcp.data(), srtcpLen, srtcp.data(), &rtcpLen);
	check(err == srtp_err_status_ok && rtcpLen == rtcp.size() && std::memcmp(srtcp.data(), rtcp.data(), rtcp.size()) == 0, "SRTCP unprotect restores the packet", err);
	size_t rtcpReplayLen = srtcpCopy.size();
	err = srtp_unprotect_rtcp(receiver, srtcpCopy.data(), srtcpCopy.size(), srtcpCopy.data(), &rtcpReplayLen);
	check(err == srtp_err_status_replay_fail, "SRTCP replay is rejected", err);

	// Stream removal (SSRC in network order, as mediasoup passes htonl(ssrc)): really removes the stream.
	err = srtp_stream_remove(receiver, htonl(ssrc));
	check(err == srtp_err_status_ok, "srtp_stream_remove removes the receiver's stream", err);
	err = srtp_stream_remove(receiver, htonl(ssrc));
	check(err == srtp_err_status_no_ctx, "a second removal finds no stream", err);
	// After removal the template creates a fresh stream: the once-replayed packet decrypts again.
	size_t againLen = captured.size();
	err = srtp_unprotect(receiver, captured.data(), captured.size(), captured.data(), &againLen);
	check(err == srtp_err_status_ok && againLen == rtp.size(), "a new stream for the SSRC after removal", err);

	srtp_dealloc(sender);
	srtp_dealloc(receiver);
}

int main()
{
	const srtp_err_status_t err = srtp_init();
	check(err == srtp_err_status_ok, "srtp_init", err);
	std::printf("# %s\n", srtp_get_version_string());
	// Lambdas: in 2.5 some of these setters are macros, called here exactly as mediasoup writes them.
	roundTrip({ "AEAD_AES_256_GCM", [](srtp_crypto_policy_t* p) { srtp_crypto_policy_set_aes_gcm_256_16_auth(p); }, SRTP_AES_GCM_256_KEY_LEN_WSALT });
	roundTrip({ "AES_CM_128_HMAC_SHA1_80", [](srtp_crypto_policy_t* p) { srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(p); }, SRTP_AES_ICM_128_KEY_LEN_WSALT });
	srtp_shutdown();
	std::printf("%s\n", failures == 0 ? "all checks passed" : "some checks FAILED");
	return failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
