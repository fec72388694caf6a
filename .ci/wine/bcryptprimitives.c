/* ProcessPrng for Wine < 9: Rust's standard library (1.78+) takes its random bytes from
 * bcryptprimitives.dll!ProcessPrng, which Debian 12's wine64 8.0 does not have, so every
 * Rust test executable fails to load there (status c0000135). This stand-in answers from
 * RtlGenRandom (advapi32!SystemFunction036). Built by .ci/run for the wine test run only;
 * it never ships. */
#include <windows.h>
#include <ntsecapi.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!RtlGenRandom(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
