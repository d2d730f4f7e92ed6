/*
 * The libsrtp bridge: mediasoup 3.13.17+ is written against libsrtp 3 (upstream's "3.0.0-beta" fork); Debian
 * ships libsrtp 2.5 (libsrtp2-dev, security-maintained). This header stands in for <srtp.h> for the worker's
 * sources (it is first on their include path through the libsrtp3 stub), includes Debian's real header, and maps
 * each libsrtp 3 call mediasoup makes onto 2.5 — nothing else. Every mapping is covered by
 * scripts/native/srtp-roundtrip.cpp (run by test/unit/native-build.test.ts): SRTP and SRTCP protect → unprotect
 * with AEAD_AES_256_GCM and AES_CM_128_HMAC_SHA1_80, replay rejection, and stream removal.
 *
 * Everything else mediasoup uses (srtp_init, srtp_shutdown, srtp_create, srtp_dealloc, srtp_policy_t,
 * srtp_crypto_policy_set_*, srtp_install_event_handler, srtp_get_version_string) has the same signature and
 * meaning in 2.5 and passes straight through.
 */
#ifndef CALL_WIDGET_SRTP_BRIDGE_H
#define CALL_WIDGET_SRTP_BRIDGE_H

#include <srtp2/srtp.h>

#ifdef __cplusplus
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>

/*
 * Error codes libsrtp 3 added after 2.5's last one (srtp_err_status_pkt_idx_adv = 27). mediasoup only names
 * them in its code → text table; 2.5 never returns them except where a mapping below does (buffer_small).
 */
constexpr srtp_err_status_t srtp_err_status_buffer_small = static_cast<srtp_err_status_t>(28);
constexpr srtp_err_status_t srtp_err_status_cryptex_err = static_cast<srtp_err_status_t>(29);

namespace call_widget_srtp_bridge
{
	/*
	 * libsrtp 3 reads the packet from `in` and writes the result to `out` (capacity `*out_len`); 2.5 works in
	 * place on one buffer whose length is an int. Copy into `out` first (memmove: mediasoup passes the same
	 * buffer for decryption), refuse what 2.5 could overflow, then run 2.5 in place on `out`.
	 * `trailer` is the room the operation may add (SRTP_MAX_TRAILER_LEN when protecting, 0 when unprotecting).
	 */
	template<typename Op>
	inline srtp_err_status_t InPlace(const uint8_t* in, size_t in_len, uint8_t* out, size_t* out_len, size_t trailer, Op op)
	{
		if (in == nullptr || out == nullptr || out_len == nullptr || in_len > static_cast<size_t>(INT_MAX) - trailer)
			return srtp_err_status_bad_param;
		if (*out_len < in_len + trailer)
			return srtp_err_status_buffer_small;
		if (out != in)
			std::memmove(out, in, in_len);
		int len = static_cast<int>(in_len);
		const srtp_err_status_t err = op(out, &len);
		if (err == srtp_err_status_ok)
			*out_len = static_cast<size_t>(len);
		return err;
	}
} // namespace call_widget_srtp_bridge

/*
 * srtp_protect (3): (ctx, rtp, rtp_len, srtp, &srtp_len, mki_index) → 2.5 srtp_protect(ctx, buf, &len).
 * mediasoup never configures MKIs and always passes mki_index 0; any other index is refused, not ignored.
 */
inline srtp_err_status_t srtp_protect(srtp_t ctx, const uint8_t* rtp, size_t rtp_len, uint8_t* srtp, size_t* srtp_len, size_t mki_index)
{
	if (mki_index != 0)
		return srtp_err_status_bad_mki;
	return call_widget_srtp_bridge::InPlace(rtp, rtp_len, srtp, srtp_len, SRTP_MAX_TRAILER_LEN, [ctx](uint8_t* buf, int* len) { return srtp_protect(ctx, buf, len); });
}

/* srtp_unprotect (3): (ctx, srtp, srtp_len, rtp, &rtp_len) → 2.5 srtp_unprotect(ctx, buf, &len). */
inline srtp_err_status_t srtp_unprotect(srtp_t ctx, const uint8_t* srtp, size_t srtp_len, uint8_t* rtp, size_t* rtp_len)
{
	return call_widget_srtp_bridge::InPlace(srtp, srtp_len, rtp, rtp_len, 0, [ctx](uint8_t* buf, int* len) { return srtp_unprotect(ctx, buf, len); });
}

/* srtp_protect_rtcp (3): same shape as srtp_protect → 2.5 srtp_protect_rtcp(ctx, buf, &len). */
inline srtp_err_status_t srtp_protect_rtcp(srtp_t ctx, const uint8_t* rtcp, size_t rtcp_len, uint8_t* srtcp, size_t* srtcp_len, size_t mki_index)
{
	if (mki_index != 0)
		return srtp_err_status_bad_mki;
	return call_widget_srtp_bridge::InPlace(rtcp, rtcp_len, srtcp, srtcp_len, SRTP_MAX_TRAILER_LEN, [ctx](uint8_t* buf, int* len) { return srtp_protect_rtcp(ctx, buf, len); });
}

/* srtp_unprotect_rtcp (3): same shape as srtp_unprotect → 2.5 srtp_unprotect_rtcp(ctx, buf, &len). */
inline srtp_err_status_t srtp_unprotect_rtcp(srtp_t ctx, const uint8_t* srtcp, size_t srtcp_len, uint8_t* rtcp, size_t* rtcp_len)
{
	return call_widget_srtp_bridge::InPlace(srtcp, srtcp_len, rtcp, rtcp_len, 0, [ctx](uint8_t* buf, int* len) { return srtp_unprotect_rtcp(ctx, buf, len); });
}

/*
 * srtp_stream_remove (3) → 2.5 srtp_remove_stream. Both take the SSRC in network byte order (mediasoup passes
 * htonl(ssrc)). Upstream's fork byte-swaps it once more inside, so upstream's removal finds no stream; with 2.5
 * the stream is really removed, which is what mediasoup means to do (its streams are re-added on demand).
 */
inline srtp_err_status_t srtp_stream_remove(srtp_t session, uint32_t ssrc)
{
	return srtp_remove_stream(session, ssrc);
}
#endif /* __cplusplus */

#endif /* CALL_WIDGET_SRTP_BRIDGE_H */
