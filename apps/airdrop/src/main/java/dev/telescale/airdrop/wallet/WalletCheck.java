package dev.telescale.airdrop.wallet;

import java.util.Objects;

/** The outcome of {@link WalletAddresses#check}: a valid address or a reason a user can act on. */
public sealed interface WalletCheck {

    /**
     * A valid address.
     *
     * @param chain        the chain it belongs to
     * @param display      what we show and pay out to (EVM: the EIP-55 form; TON and Solana: as entered, trimmed)
     * @param canonicalKey one string per on-chain account, whatever the spelling: {@code evm:<lowercase hex>},
     *                     {@code ton:<workchain>:<lowercase hex>}, {@code sol:<base58>}; for a unique index
     */
    record Valid(Chain chain, String display, String canonicalKey) implements WalletCheck {
        public Valid {
            Objects.requireNonNull(chain, "chain");
            Objects.requireNonNull(display, "display");
            Objects.requireNonNull(canonicalKey, "canonicalKey");
        }
    }

    /** A refused input, with a one-line reason to show the user. */
    record Invalid(String reason) implements WalletCheck {
        public Invalid {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
